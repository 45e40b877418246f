/** The ids Slack routes interactions by: fixed, never renamed (a message already posted keeps its buttons). */
export const ACTION_FIX = 'hubwarden.fix';
export const ACTION_SUPPRESS = 'hubwarden.suppress';
export const ACTION_APPROVE = 'hubwarden.approve';
export const ACTION_REVOKE = 'hubwarden.revoke';

export const SUPPRESS_CALLBACK_ID = 'hubwarden.suppress';
export const JUSTIFICATION_BLOCK_ID = 'justification';
export const EXPIRES_BLOCK_ID = 'expires';
/** action id of the input inside both modal blocks */
export const INPUT_ACTION_ID = 'value';
