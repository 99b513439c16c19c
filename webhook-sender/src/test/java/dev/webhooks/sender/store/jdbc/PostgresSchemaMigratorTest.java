package dev.webhooks.sender.store.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The migrator on the machine's real PostgreSQL, each test in a schema of its own. */
class PostgresSchemaMigratorTest extends SchemaMigratorContract {
  UrlDataSource ds;

  @BeforeEach
  void open() {
    ds = TestDatabases.postgres();
  }

  @AfterEach
  void drop() throws Exception {
    if (ds != null) {
      TestDatabases.dropPostgresSchema(ds);
    }
  }

  @Override
  DataSource dataSource() {
    return ds;
  }

  @Override
  SqlDialect dialect() {
    return SqlDialect.POSTGRESQL;
  }
}
