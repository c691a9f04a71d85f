package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.http.SourceAllowList;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * hub.callback.allowed-cidrs: a callback from outside the listed networks gets 403 with a JSON
 * reason before its body is read, and nothing is stored (no inbox row, no quarantine row).
 * X-Forwarded-For is not trusted.
 */
class CallbackAllowListTest {

    /** Linux routes all of 127.0.0.0/8 to the loopback: a client can come from 127.0.0.2 as well as from 127.0.0.1. */
    @Test
    void onlyCallbacksFromTheAllowedNetworksAreRead() throws Exception {
        try (RunningHub hub = RunningHub.builder().property("hub.callback.allowed-cidrs", "10.0.0.0/8, 127.0.0.2/32, 2001:db8::/32").start()) {
            HttpResponse<String> response = hub.post(Samples.with(Samples.seed(), "JobId", "not-allowed-1"));
            assertEquals(403, response.statusCode(), response.body());
            assertTrue(response.body().startsWith("{\"error\":\"forbidden\",\"reason\":\""), response.body());
            assertTrue(response.body().contains("127.0.0.1"), response.body());

            HttpResponse<String> forwarded = hub.post(Samples.with(Samples.seed(), "JobId", "not-allowed-2"),
                    "X-Forwarded-For", "10.1.2.3", "Forwarded", "for=10.1.2.3");
            assertEquals(403, forwarded.statusCode(), "X-Forwarded-For must not be trusted: " + forwarded.body());

            // headers announcing a 100 kB body, and no body at all: the answer comes anyway
            String head = "POST " + hub.callbackUri().getPath() + " HTTP/1.1\r\nHost: hub\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            assertEquals("HTTP/1.1 403 Forbidden", rawStatusLine(hub, "127.0.0.1", head.getBytes(StandardCharsets.US_ASCII)));

            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox"), "nothing is stored");
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_quarantine"), "nothing is quarantined");

            byte[] event = Samples.with(Samples.seed(), "JobId", "allowed-1");
            byte[] request = ("POST " + hub.callbackUri().getPath() + " HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nContent-Length: " + event.length + "\r\n\r\n" + Samples.text(event)).getBytes(StandardCharsets.UTF_8);
            assertEquals("HTTP/1.1 200 OK", rawStatusLine(hub, "127.0.0.2", request), "from an allowed address");
            assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'allowed-1'"));
        }
    }

    @Test
    void networksAreMatchedByPrefix() {
        SourceAllowList list = SourceAllowList.parse("192.168.10.0/23, 2001:db8:abcd::/48, 203.0.113.7");
        assertTrue(list.allows("192.168.11.254"));
        assertFalse(list.allows("192.168.12.1"));
        assertTrue(list.allows("203.0.113.7"));
        assertFalse(list.allows("203.0.113.8"));
        assertTrue(list.allows("2001:db8:abcd:12::1"));
        assertFalse(list.allows("2001:db8:abce::1"));
        assertTrue(list.allows("::ffff:192.168.10.1"), "an IPv4-mapped IPv6 peer is its IPv4 address");
        assertFalse(list.allows("example.com"), "never a name, never a DNS lookup");
        assertFalse(list.allows(null));
        assertTrue(SourceAllowList.parse("").allows("198.51.100.1"), "empty: all allowed");
        assertThrows(IllegalArgumentException.class, () -> SourceAllowList.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> SourceAllowList.parse("10.0.0.256/8"));
        assertThrows(IllegalArgumentException.class, () -> SourceAllowList.parse("intranet/8"));
    }

    /** Sends the bytes from the given local address and returns the answer's status line. */
    private static String rawStatusLine(RunningHub hub, String from, byte[] request) throws Exception {
        try (Socket socket = new Socket(hub.callbackUri().getHost(), hub.callbackUri().getPort(), InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        }
    }
}
