package dev.webhooks.sender.store.jdbc;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The migrator on an embedded H2 file database, as the durable default on one machine uses it. */
class H2SchemaMigratorTest extends SchemaMigratorContract {
  @TempDir
  Path folder;
  DataSource ds;

  @BeforeEach
  void open() {
    ds = TestDatabases.h2(folder);
  }

  @Override
  DataSource dataSource() {
    return ds;
  }

  @Override
  SqlDialect dialect() {
    return SqlDialect.H2;
  }
}
