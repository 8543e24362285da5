/** The options the config schema is compiled with, at build time (standalone) and, as a fallback, at run time. */
export const AJV_OPTIONS = { allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true } as const;

export const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
