export { bundledArchivePath, readBundledDataset, writeBundledDataset } from './bundled.js';
export type { DatasetFile } from './bundled.js';
export { downloadDataset } from './download.js';
export type { DownloadOptions, DownloadProgress, DownloadResult } from './download.js';
export {
  BANK_FULL_FILE,
  BANK_FULL_ROWS,
  BANK_FULL_SHA256,
  countDataRows,
  sha256,
  writeFileAtomic,
} from './files.js';
export { extractBankFull } from './zip.js';
