package dev.webhooks.sender.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  final UUID endpoint = UUID.randomUUID();

  @Test
  void circuit_opensAfterTheThreshold_andPausesAttempts() {
    EndpointHealth h = new EndpointHealth(3, Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
    for (int i = 0; i < 2; i++) {
      assertEquals(Optional.empty(), h.admit(endpoint, T0));
      h.onFailure(endpoint, T0);
    }
    assertFalse(h.isOpen(endpoint));
    h.onFailure(endpoint, T0);
    assertTrue(h.isOpen(endpoint));
    assertEquals(Optional.of(T0.plusSeconds(30)), h.admit(endpoint, T0.plusSeconds(10)));
    assertEquals(Optional.empty(), h.admit(UUID.randomUUID(), T0)); // other endpoints unaffected
  }

  @Test
  void afterThePause_oneProbeAtATime_successCloses() {
    EndpointHealth h = new EndpointHealth(1, Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
    h.onFailure(endpoint, T0);
    Instant later = T0.plusSeconds(30);
    assertEquals(Optional.empty(), h.admit(endpoint, later));          // the probe
    assertEquals(Optional.of(later.plusSeconds(30)), h.admit(endpoint, later)); // others wait for its verdict
    h.onSuccess(endpoint);
    assertFalse(h.isOpen(endpoint));
    assertEquals(Optional.empty(), h.admit(endpoint, later));
    assertEquals(Optional.empty(), h.admit(endpoint, later));
  }

  @Test
  void pausedUntil_theCircuitsEnd_orAnotherPauseWhileTheProbeIsOut_withoutTakingTheProbe() {
    EndpointHealth h = new EndpointHealth(1, Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
    assertEquals(Optional.empty(), h.pausedUntil(endpoint, T0)); // never failed
    h.onFailure(endpoint, T0);
    assertEquals(Optional.of(T0.plusSeconds(30)), h.pausedUntil(endpoint, T0.plusSeconds(10)));
    Instant later = T0.plusSeconds(30);
    assertEquals(Optional.empty(), h.pausedUntil(endpoint, later)); // a probe may go…
    assertEquals(Optional.empty(), h.admit(endpoint, later));        // …and asking did not take it
    assertEquals(Optional.of(later.plusSeconds(40)), h.pausedUntil(endpoint, later.plusSeconds(10)));
    h.onSuccess(endpoint);
    assertEquals(Optional.empty(), h.pausedUntil(endpoint, later));
  }

  @Test
  void failedProbes_doubleThePause_upToTheMaximum() {
    EndpointHealth h = new EndpointHealth(1, Duration.ofSeconds(30), Duration.ofMinutes(2), 0);
    h.onFailure(endpoint, T0);
    Instant now = T0.plusSeconds(30);
    Duration[] expected = {Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(120)};
    for (Duration pause : expected) {
      assertEquals(Optional.empty(), h.admit(endpoint, now));
      h.onFailure(endpoint, now);
      assertEquals(Optional.of(now.plus(pause)), h.admit(endpoint, now));
      now = now.plus(pause);
    }
  }

  @Test
  void rateLimit_spacesAttempts() {
    EndpointHealth h = new EndpointHealth(5, Duration.ofSeconds(30), Duration.ofMinutes(10), 2);
    assertEquals(Optional.empty(), h.admit(endpoint, T0));
    assertEquals(Optional.empty(), h.admit(endpoint, T0)); // a burst of one second's worth
    assertEquals(Optional.of(T0.plusMillis(500)), h.admit(endpoint, T0));
    assertEquals(Optional.empty(), h.admit(endpoint, T0.plusMillis(500)));
    assertEquals(Optional.of(T0.plusMillis(1000)), h.admit(endpoint, T0.plusMillis(500)));
  }

  @Test
  void forget_closesTheCircuit() {
    EndpointHealth h = new EndpointHealth(1, Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
    h.onFailure(endpoint, T0);
    h.forget(endpoint);
    assertEquals(Optional.empty(), h.admit(endpoint, T0));
  }
}
