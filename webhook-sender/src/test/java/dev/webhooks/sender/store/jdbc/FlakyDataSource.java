package dev.webhooks.sender.store.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that fails where its {@link Plan} says, over a real one: borrowing a connection,
 * running a statement, committing, rolling back or switching auto-commit throws an
 * {@link SQLException}. A statement fails either before it reaches the database or after it ran
 * there (its result is then dropped); a commit fails before it reaches the database (a commit that
 * happens but whose acknowledgement is lost is another fault: its outcome is unknowable to the
 * caller). {@link #random} fails each with a probability, drawing the SQLState from {@link #STATES}:
 * a serialization failure (the store runs the transaction again), a lost connection (run again
 * unless it was the commit) and an internal error (not run again). Counts what it injected, by
 * place. Thread-safe if the plan is.
 */
final class FlakyDataSource implements DataSource {
  static final List<String> STATES = List.of("40001", "08006", "XX000");
  private static final Set<String> STATEMENT_METHODS = Set.of("execute", "executeQuery", "executeUpdate",
      "executeBatch", "executeLargeUpdate", "executeLargeBatch");

  /** Where a failure may be injected. */
  enum Place { GET_CONNECTION, STATEMENT, COMMIT, ROLLBACK, SET_AUTO_COMMIT }

  /** One failure: its SQLState and, for a statement, whether it ran first. */
  record Failure(String state, boolean afterRunning) {}

  /** Decides, for each call at a place, whether it fails: a failure, or null. */
  @FunctionalInterface
  interface Plan {
    Failure at(Place place);
  }

  private final DataSource delegate;
  private volatile Plan plan;
  private final Map<String, Integer> injected = new TreeMap<>(); // guarded by itself
  private Random random; // set once by random(), before use
  private volatile double rate;

  FlakyDataSource(DataSource delegate, Plan plan) {
    this.delegate = delegate;
    this.plan = plan;
  }

  /** Fails nowhere until {@link #failureRate} says how often; the draws come from one seeded generator. */
  static FlakyDataSource random(DataSource delegate, long seed) {
    FlakyDataSource flaky = new FlakyDataSource(delegate, place -> null);
    flaky.random = new Random(seed);
    return flaky;
  }

  /** For {@link #random}: the probability of each failure; 0 (the initial rate) turns injection off. */
  void failureRate(double rate) {
    this.rate = rate;
    this.plan = rate <= 0 ? place -> null : this::draw;
  }

  /** Follows {@code plan} from now on. */
  void plan(Plan plan) {
    this.plan = plan;
  }

  /** Failures injected so far, by place ("commit", "statement before", "statement after", …). */
  Map<String, Integer> injected() {
    synchronized (injected) {
      return new TreeMap<>(injected);
    }
  }

  int injectedTotal() {
    return injected().values().stream().mapToInt(Integer::intValue).sum();
  }

  private Failure draw(Place place) {
    synchronized (random) {
      return random.nextDouble() < rate
          ? new Failure(STATES.get(random.nextInt(STATES.size())), random.nextBoolean()) : null;
    }
  }

  private SQLException fail(String where, Failure failure) {
    synchronized (injected) {
      injected.merge(where, 1, Integer::sum);
    }
    return new SQLException("injected failure: " + where, failure.state());
  }

  @Override
  public Connection getConnection() throws SQLException {
    Failure failure = plan.at(Place.GET_CONNECTION);
    if (failure != null) {
      throw fail("getConnection", failure);
    }
    Connection c = delegate.getConnection();
    return (Connection) Proxy.newProxyInstance(FlakyDataSource.class.getClassLoader(), new Class<?>[] {Connection.class},
        new FlakyConnection(c));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private final class FlakyConnection implements InvocationHandler {
    private final Connection real;

    FlakyConnection(Connection real) {
      this.real = real;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      boolean noArgs = args == null || args.length == 0;
      Place place = name.equals("commit") && noArgs ? Place.COMMIT
          : name.equals("rollback") && noArgs ? Place.ROLLBACK
          : name.equals("setAutoCommit") ? Place.SET_AUTO_COMMIT : null;
      Failure failure = place == null ? null : plan.at(place);
      if (failure != null) {
        throw fail(name, failure);
      }
      Object result = FlakyDataSource.invoke(real, method, args);
      if (result instanceof Statement) {
        Class<?> type = result instanceof CallableStatement ? CallableStatement.class
            : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
        return Proxy.newProxyInstance(FlakyDataSource.class.getClassLoader(), new Class<?>[] {type},
            new FlakyStatement((Statement) result));
      }
      return result;
    }
  }

  private final class FlakyStatement implements InvocationHandler {
    private final Statement real;

    FlakyStatement(Statement real) {
      this.real = real;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (!STATEMENT_METHODS.contains(method.getName())) {
        return FlakyDataSource.invoke(real, method, args);
      }
      Failure failure = plan.at(Place.STATEMENT);
      if (failure == null) {
        return FlakyDataSource.invoke(real, method, args);
      }
      if (!failure.afterRunning()) {
        throw fail("statement before", failure);
      }
      Object result = FlakyDataSource.invoke(real, method, args);
      if (result instanceof ResultSet) {
        ((ResultSet) result).close();
      }
      throw fail("statement after", failure);
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }
}
