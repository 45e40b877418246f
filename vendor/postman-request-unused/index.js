'use strict';
// jira-client falls back to postman-request only when no `request` option is given; hubwarden always
// gives one. Reaching this is a bug, not a network call.
module.exports = function postmanRequestUnused() {
  throw new Error('postman-request is not installed: pass jira-client a `request` function');
};
