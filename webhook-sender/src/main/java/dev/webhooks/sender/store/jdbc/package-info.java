/**
 * The JDBC stores' machinery: SQL dialects (embedded H2, PostgreSQL) and the schema migrator that
 * creates and upgrades the store's tables from versioned plain-SQL resources.
 */
package dev.webhooks.sender.store.jdbc;
