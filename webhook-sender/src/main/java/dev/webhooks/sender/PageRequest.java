package dev.webhooks.sender;

/**
 * Which page of a listing to return: 1-based {@code page}, {@code perPage} items (1 to
 * {@value #MAX_PER_PAGE}, default {@value #DEFAULT_PER_PAGE}), as the management API's
 * {@code page} and {@code per_page} parameters. Immutable.
 *
 * @throws IllegalArgumentException when out of range
 */
public record PageRequest(int page, int perPage) {
  public static final int DEFAULT_PER_PAGE = 20;
  public static final int MAX_PER_PAGE = 100;
  /** Deeper pages are refused: offset paging that far is a scan, use filters instead. */
  public static final int MAX_PAGE = 10_000;

  public PageRequest {
    if (page < 1 || page > MAX_PAGE) {
      throw new IllegalArgumentException("page must be within 1.." + MAX_PAGE + ": " + page);
    }
    if (perPage < 1 || perPage > MAX_PER_PAGE) {
      throw new IllegalArgumentException("per_page must be within 1.." + MAX_PER_PAGE + ": " + perPage);
    }
  }

  /** Page 1 of {@value #DEFAULT_PER_PAGE}. */
  public static PageRequest first() {
    return new PageRequest(1, DEFAULT_PER_PAGE);
  }

  /** Items to skip before this page. */
  public long offset() {
    return (long) (page - 1) * perPage;
  }
}
