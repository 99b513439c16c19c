/**
 * The sending side of the SDK. Its API arrives with the sender issue; for now the module only
 * fixes its place in the build and its dependencies.
 */
package dev.webhooks.sender;
