/** The file system, as far as doctor reads it (the CLI passes node:fs in; tests may fake it). */
export interface FilePort {
  /** null when the file does not exist or cannot be read. */
  readText(path: string): Promise<string | null>;
  /** null when nothing is there. `mode` holds the permission bits and file type. */
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; mode: number; uid: number } | null>;
  /** Entry names, [] when the directory does not exist. */
  list(dir: string): Promise<string[]>;
  executable(path: string): Promise<boolean>;
}
