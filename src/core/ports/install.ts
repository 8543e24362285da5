/** Where `install` puts things, as paths on the target system (before the --root prefix). */
export interface InstallLayout {
  devdRule: string;
  syshook: string;
  cronFile: string;
  rcScript: string;
  /** OPNsense's service-status scripts (carp-ovh's probes go there). */
  serviceStatusDir: string;
  /** Directories whose *.conf devd reads (the base rules first). */
  devdDirs: string[];
  /** Single files devd also reads. */
  devdFiles: string[];
}
