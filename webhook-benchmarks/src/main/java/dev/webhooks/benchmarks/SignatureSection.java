package dev.webhooks.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs {@link SignatureBenchmark} with JMH and reports each figure beside its peer and the limit. */
final class SignatureSection {
  private SignatureSection() {}

  static void run(Report report, boolean quick) throws RunnerException {
    Options options = new OptionsBuilder()
        .include(SignatureBenchmark.class.getName() + "\\.")
        .forks(quick ? 0 : 1) // quick: in this JVM, sparing a JVM start per benchmark
        .threads(1)
        .warmupIterations(quick ? 1 : 3)
        // Quick: 0.6 s per benchmark, 10 s for the section (15 s with 300 ms iterations, which
        // took the quick suite past its two minutes on the slower machine of 2026-11-28, 14:06).
        .warmupTime(TimeValue.milliseconds(quick ? 200 : 1000))
        .measurementIterations(quick ? 2 : 5)
        .measurementTime(TimeValue.milliseconds(quick ? 200 : 1000))
        .jvmArgsAppend("-Xmx512m")
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    Map<String, Double> score = new HashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1) + "@" + r.getParams().getParam("payloadBytes");
      score.put(name, r.getPrimaryResult().getScore());
    }
    for (String size : new String[] {"1024", "16384"}) {
      String kib = Integer.parseInt(size) / 1024 + " KiB";
      double limit = score.get("limitReusedMac@" + size);
      double verify = score.get("oursVerifyStandardWebhooks@" + size);
      double refVerify = score.get("referenceVerifyStandardWebhooks@" + size);
      Report.Row v = report.add("signatures", "Standard Webhooks verify, " + kib, verify, "ops/s")
          .peer("standardwebhooks 1.1.0", verify / refVerify)
          .limit("reused Mac", verify / limit);
      if (size.equals("1024")) {
        v.target("≥ 2× peer, ≥ 0.85× limit", verify / refVerify >= 2 && verify / limit >= 0.85);
      } else {
        v.target("≥ 0.9× limit", verify / limit >= 0.9);
      }
      double sign = score.get("oursSignStandardWebhooks@" + size);
      report.add("signatures", "Standard Webhooks sign, " + kib, sign, "ops/s")
          .peer("standardwebhooks 1.1.0", sign / score.get("referenceSignStandardWebhooks@" + size))
          .limit("reused Mac", sign / limit);
      double stripe = score.get("oursVerifyStripeStyle@" + size);
      report.add("signatures", "Stripe-style verify, " + kib, stripe, "ops/s")
          .peer("stripe-java verifyHeader", stripe / score.get("stripeVerifyHeader@" + size))
          .limit("reused Mac", stripe / limit);
      double hex = score.get("oursVerifyHexHmac@" + size);
      report.add("signatures", "hex HMAC (X-Signature) verify, " + kib, hex, "ops/s")
          .limit("reused Mac", hex / limit);
      report.add("signatures", "limit: reused Mac update+doFinal, " + kib, limit, "ops/s");
      report.add("signatures", "peer: standardwebhooks verify, " + kib, refVerify, "ops/s");
      report.add("signatures", "peer: stripe-java verifyHeader, " + kib, score.get("stripeVerifyHeader@" + size),
          "ops/s");
    }
  }
}
