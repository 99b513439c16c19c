package dev.webhooks.examples;

/** Placeholder until the signing demo lands. */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) {
    System.out.println("demo");
  }
}
