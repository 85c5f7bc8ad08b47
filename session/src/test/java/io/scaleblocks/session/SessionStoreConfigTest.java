package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionStoreConfigTest {

  @Test
  void settingsKeysBuildTheConfigInTheConventionsForms() {
    SessionStoreConfig c = SessionStoreConfig.from(Map.of("name", "web", "idleTimeout", "15m",
        "absolute-timeout", "PT4H", "renewal_timeout", "30m", "id-bits", 128, "strict-ids", "false"));
    assertEquals("web", c.name());
    assertEquals(Duration.ofMinutes(15), c.idleTimeout());
    assertEquals(Duration.ofHours(4), c.absoluteTimeout());
    assertEquals(Optional.of(Duration.ofMinutes(30)), c.renewalTimeout());
    assertEquals(128, c.idBits());
    assertFalse(c.strictIds());
  }

  @Test
  void defaultsAreThePublishedConstants() {
    SessionStoreConfig c = SessionStoreConfig.from(Map.of());
    assertEquals(SessionStoreConfig.DEFAULT_IDLE_TIMEOUT, c.idleTimeout());
    assertEquals(SessionStoreConfig.DEFAULT_ABSOLUTE_TIMEOUT, c.absoluteTimeout());
    assertEquals(Optional.empty(), c.renewalTimeout());
    assertEquals(SessionIds.DEFAULT_BITS, c.idBits());
    assertTrue(c.strictIds());
  }

  @Test
  void badValuesAndUnknownKeysAreRefusedByName() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SessionStoreConfig.from(Map.of("idle-timeout", "soon")))
        .getMessage().contains("'idle-timeout'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SessionStoreConfig.from(Map.of("id-bits", 64)))
        .getMessage().contains("'id-bits'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SessionStoreConfig.from(Map.of("idle", "1m")))
        .getMessage().contains("unknown setting 'idle'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SessionStoreConfig.builder().idleTimeout(Duration.ofSeconds(-3))).getMessage().endsWith("but was PT-3S"));
  }

  @Test
  void theCookieConfigRefusesWhatACookieCannotCarry() {
    assertThrows(IllegalArgumentException.class, () -> SessionCookieConfig.builder().name("a b"));
    assertThrows(IllegalArgumentException.class, () -> SessionCookieConfig.builder().path("/x;y"));
    assertThrows(IllegalArgumentException.class,
        () -> SessionCookieConfig.builder().secure(false).sameSite(SessionCookieConfig.SameSite.NONE).build());
    SessionCookieConfig c = SessionCookieConfig.from(Map.of("name", "SID", "same-site", "strict", "domain", "example.org"));
    assertEquals("SID=abc; Path=/; Domain=example.org; Secure; HttpOnly; SameSite=Strict", c.setCookie("abc"));
    assertEquals("SID=; Max-Age=0; Path=/; Domain=example.org; Secure; HttpOnly; SameSite=Strict", c.clearCookie());
  }

  @Test
  void theBuiltInCodecsRefuseBytesThatAreNotTheirs() {
    assertThrows(IllegalArgumentException.class, () -> SessionCodecs.longs().decode(new byte[3]));
    assertThrows(IllegalArgumentException.class, () -> SessionCodecs.ints().decode(new byte[8]));
    assertThrows(IllegalArgumentException.class, () -> SessionCodecs.string().decode(new byte[] {(byte) 0xc3}));
    assertEquals("héllo", SessionCodecs.string().decode(SessionCodecs.string().encode("héllo")));
    assertEquals(2.5, SessionCodecs.doubles().decode(SessionCodecs.doubles().encode(2.5)));
    byte[] raw = {1, 2};
    byte[] stored = SessionCodecs.bytes().encode(raw);
    raw[0] = 9;
    assertEquals(1, stored[0], "a caller's array is copied");
  }

  @Test
  void attributeNamesAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> SessionAttribute.string(""));
    assertThrows(IllegalArgumentException.class, () -> SessionAttribute.string("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> SessionAttribute.string("x".repeat(201)));
  }
}
