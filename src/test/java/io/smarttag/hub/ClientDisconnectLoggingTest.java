package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that drops the connection in the middle of its body is not an error of the hub:
 * nothing was received, nothing is stored, and the log gets no ERROR and no stack trace (Vert.x-Web
 * logged "Unhandled exception in router" with an HttpClosedException for each). The hub goes on
 * answering.
 */
class ClientDisconnectLoggingTest {

    @Test
    void clientDroppingMidBodyLogsNoError() throws Exception {
        Path home = Files.createTempDirectory("client-disconnect");
        try (HubProcess hub = HubProcess.start(home, Map.of())) {
            byte[] event = Samples.with(Samples.seed(), "JobId", "dropped-mid-body");
            for (int i = 0; i < 5; i++) {
                try (Socket socket = new Socket(hub.callbackUri().getHost(), hub.callbackUri().getPort())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST " + hub.callbackUri().getPath() + " HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + event.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(event, 0, event.length / 2);
                    out.flush();
                    Thread.sleep(200); // the hub has read the headers and half the body
                }
            }
            Thread.sleep(1000);
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "after-the-drops")).statusCode());
            List<String> log = Files.readAllLines(hub.log());
            List<String> errors = log.stream()
                    .filter(line -> line.contains(" ERROR ") || line.contains("HttpClosedException")).limit(5).toList();
            assertTrue(errors.isEmpty(), "no ERROR, no HttpClosedException stack trace: " + errors);
        }
    }
}
