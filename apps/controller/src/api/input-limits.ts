/**
 * The limits the API holds user input to, each refused with a 422 and a stable id (README, "API
 * limits"). Counts are checked under a lock on the app's row, so concurrent requests cannot pass them.
 */

/** Config vars per app. */
export const configVarsMax = 500;
/** Characters in a config var's name. */
export const configKeyMax = 200;
/** Characters in one config var's value. */
export const configValueMax = 32_768;
/** Bytes (UTF-8) of all an app's config var names and values together. */
export const configTotalBytesMax = 256 * 1024;
/** Characters in an API token's description. */
export const tokenDescriptionMax = 200;
/** Custom domains per app. */
export const domainsPerAppMax = 100;
/** Log drains per app. */
export const drainsPerAppMax = 10;
/** Collaborators per app (the owner not counted). */
export const collaboratorsPerAppMax = 100;
