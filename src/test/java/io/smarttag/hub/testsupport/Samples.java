package io.smarttag.hub.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The vendor-shaped sample events (src/test/resources/samples) and variants of them. */
public final class Samples {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Samples() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = Samples.class.getResourceAsStream("/samples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] seed() {
        return bytes("success-seed.json");
    }

    public static byte[] fail() {
        return bytes("fail.json");
    }

    public static String seedJobId() {
        return field(seed(), "JobId");
    }

    public static String field(byte[] event, String name) {
        try {
            return JSON.readTree(event).path(name).asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event with some top-level fields replaced, e.g. with("JobId", "j-2"). */
    public static byte[] with(byte[] event, String... fieldsAndValues) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(event);
            for (int i = 0; i < fieldsAndValues.length; i += 2) {
                node.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
            }
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A success event whose Data string is the given JSON document. */
    public static byte[] successWithData(String jobId, String dataJson) {
        return with(seed(), "JobId", jobId, "Data", dataJson);
    }

    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
