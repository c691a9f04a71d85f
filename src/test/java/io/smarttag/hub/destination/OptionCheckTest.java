package io.smarttag.hub.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The matching behind the start-time check, on the real route files: what the headers declare, and how
 * environment variables (where '.', '-' and '_' are one) are matched to listed destinations and options.
 */
class OptionCheckTest {

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final DestinationOptions options = new DestinationOptions(context);

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private static Destination destination(String name, String type) {
        return new Destination(name, type, Set.of("success"), key -> null);
    }

    @Test
    void theBuiltInRouteHeadersDeclareTheOptionsTheRoutesRead() {
        assertEquals(List.of("url", "secret", "timeout-ms"), List.copyOf(options.header("webhook").options()));
        assertEquals(List.of("bucket", "prefix", "dir", "s3.endpoint", "s3.region", "s3.path-style", "s3.access-key",
                "s3.secret-key", "s3.timeout-ms"), List.copyOf(options.header("archive").options()));
        assertEquals(List.of("channels", "from", "to", "outbox-dir", "webhook.url", "webhook.format", "storm.max-single",
                "storm.window-ms"), List.copyOf(options.header("alert").options()));
        assertEquals(List.of("smtp.host", "smtp.port", "smtp.protocol", "smtp.user", "smtp.password", "smtp.starttls",
                "smtp.timeout-ms"), List.copyOf(options.header("alert").settings()));
        assertEquals(Set.of(), options.header("database").options());
        assertEquals(List.of("batch-max", "batch-window-ms"), List.copyOf(options.header("database").settings()));
        assertNull(options.header("webhok"));
    }

    @Test
    void aHeaderWithoutOptionsOrWithProseInTheListIsRefusedNamingTheFile() {
        String none = assertThrows(IllegalArgumentException.class,
                () -> RouteHeader.parse("routes/destination-foo.yaml", "# Foo destination.\n- route:\n")).getMessage();
        assertTrue(none.startsWith("routes/destination-foo.yaml does not declare the options of its type"), none);
        String prose = assertThrows(IllegalArgumentException.class, () -> RouteHeader.parse("routes/destination-foo.yaml",
                "# Options (hub.destination.<name>.<option>): url, and any other.\n")).getMessage();
        assertTrue(prose.contains("'and any other'"), prose);
        RouteHeader wrapped = RouteHeader.parse("f", "# Foo.\n# Options (hub.destination.<name>.<option>, default hub.foo.<option>): a.b,\n"
                + "#      c-d. Then prose.\n- route:\n# Options: not the header\n");
        assertEquals(List.of("a.b", "c-d"), List.copyOf(wrapped.options()));
        assertTrue(wrapped.defaults());
    }

    @Test
    void variablesAreMatchedAgainstListedNamesAndTheirTypesOptions() {
        OptionCheck check = new OptionCheck(options, List.of(destination("data-lake", "webhook"), destination("data", "archive"),
                destination("alert", "alert")));
        List<String> warnings = check.check(Map.of(), Map.of(
                "HUB_DESTINATION_DATA_LAKE_TIMEOUT_MS", "1000", // data-lake's timeout-ms (not data's lake.timeout-ms)
                "HUB_DESTINATION_DATA_S3_PATH_STYLE", "true", // data's s3.path-style
                "HUB_DESTINATION_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/x", // alert's webhook.url
                "HUB_ALERT_SMTP_TIMEOUT_MS", "1000", // a type setting
                "HUB_DESTINATIONS", "data-lake,data,alert"));
        assertEquals(List.of(), warnings);

        String refused = assertThrows(IllegalArgumentException.class, () -> check.check(Map.of(),
                Map.of("HUB_DESTINATION_DATA_LAKE_TIMEOUT", "1000"))).getMessage();
        assertTrue(refused.startsWith("HUB_DESTINATION_DATA_LAKE_TIMEOUT (environment variable): webhook destination data-lake"
                + " has no option TIMEOUT; "), refused);
    }

    @Test
    void anUnlistedDestinationIsOneWarningWhateverSetsIt() {
        OptionCheck check = new OptionCheck(options, List.of(destination("database", "database")));
        List<String> warnings = check.check(
                Map.of("hub.destination.staging-hook.type", "webhook", "hub.destination.alert.when", "fail"),
                Map.of("HUB_DESTINATION_STAGING_HOOK_URL", "http://127.0.0.1:9/x", "HUB_DESTINATION_STAGING_HOOK_TIMEOUT_MS", "5"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals("destination staging-hook is configured (hub.destination.staging-hook.type, HUB_DESTINATION_STAGING_HOOK_TIMEOUT_MS,"
                + " HUB_DESTINATION_STAGING_HOOK_URL) but is not in hub.destinations (database): it gets no events until it is listed",
                warnings.get(0));
    }

    @Test
    void severalUnknownOptionsAreStillOneLine() {
        OptionCheck check = new OptionCheck(options, List.of(destination("hook", "webhook")));
        String refused = assertThrows(IllegalArgumentException.class, () -> check.check(
                Map.of("hub.destination.hook.secrett", "x", "hub.destination.hook.urll", "y"), Map.of())).getMessage();
        assertTrue(refused.startsWith("hub.destination.hook.secrett: webhook destination hook has no option `secrett`"
                + " (did you mean `secret`?)"), refused);
        assertTrue(refused.endsWith(" Also unknown: hub.destination.hook.urll."), refused);
        assertEquals(1, refused.lines().count());
    }

    @Test
    void theClosestNameIsWithinTwoEdits() {
        assertEquals(1, OptionCheck.distance("wehn", "when"));
        assertEquals("secret", OptionCheck.closest("secrett", List.of("url", "secret", "timeout-ms"), s -> s));
        assertEquals("timeout-ms", OptionCheck.closest("TIMEOUT_M", List.of("url", "secret", "timeout-ms"), OptionCheck::env));
        assertNull(OptionCheck.closest("signing-key", List.of("url", "secret", "timeout-ms"), s -> s));
        assertNull(OptionCheck.closest("xy", List.of("to"), s -> s), "a short name needs to be closer");
    }
}
