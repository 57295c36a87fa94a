/** One JSON form for rows read in different processes: Date as ISO text, bigint as decimal text. */
export function toJson(rows: unknown): string {
  return JSON.stringify(rows, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    return value;
  });
}

/** Parses `toJson` output back into plain objects (dates stay ISO strings). */
export function fromJson(text: string): unknown {
  return JSON.parse(text);
}
