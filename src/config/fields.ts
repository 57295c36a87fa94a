import { z } from 'zod';

/** The building blocks of the settings: every `BANKOPS_*` value is a string until one of these reads it. */
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
/** A port where 0 means any free one. */
export const anyPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const optionalUrl = z.string().url().optional();
export const text = (fallback: string) => z.string().min(1).default(fallback);
export const onOff = (fallback: 'on' | 'off') => z.enum(['on', 'off']).default(fallback);
export const METRICS = ['roc_auc', 'pr_auc', 'f1', 'accuracy', 'profit'] as const;

export const seconds = (s: number) => s * 1000;
