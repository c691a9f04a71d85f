package io.smarttag.hub;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The training run's HTTP on plain sockets: S3 and MNS stand-ins as far as the run needs them, and
 * the two callbacks it posts. Not the JDK's HttpServer and HttpClient: every class the training run
 * loads goes into the class-data-sharing archive, which every hub maps whole (this JDK relocates it,
 * so each page of it is resident), and a running hub never uses those two: about 600 classes and
 * 3.5 MiB of resident memory in every hub (issue 21, docs/performance.md).
 */
final class TrainingStandIn implements AutoCloseable {

    private static final String MNS_EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error xmlns=\"http://mns.aliyuncs.com/doc/v1\">"
            + "<Code>MessageNotExist</Code><Message>Message not exist.</Message><RequestId>training</RequestId>"
            + "<HostId>127.0.0.1</HostId></Error>";

    private final ServerSocket server;
    private final AtomicInteger archived = new AtomicInteger();

    /**
     * Listens on a free port of 127.0.0.1: a PUT (the archive) is counted and answered 200, an MNS
     * receive (GET /queues/...) waits 200 ms and answers MessageNotExist, as an empty queue does;
     * anything else 200 with no body. Connections are kept alive, as the SDKs' clients expect.
     */
    TrainingStandIn() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("training-stand-in", () -> {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    daemon("training-stand-in", () -> serve(connection));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    int archived() {
        return archived.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** Posts a JSON body to the hub and returns the status of its answer. */
    static int post(int port, String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line(new BufferedInputStream(socket.getInputStream()));
            String[] parts = status == null ? new String[0] : status.split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            for (String request = line(in); request != null && !request.isEmpty(); request = line(in)) {
                long length = 0;
                boolean chunked = false;
                boolean expectContinue = false;
                for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                    String h = header.toLowerCase(Locale.ROOT);
                    if (h.startsWith("content-length:")) {
                        length = Long.parseLong(h.substring(15).trim());
                    } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                        chunked = true;
                    } else if (h.startsWith("expect:") && h.contains("100-continue")) {
                        expectContinue = true;
                    }
                }
                if (expectContinue) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                if (chunked) {
                    skipChunks(in);
                } else {
                    in.skipNBytes(length);
                }
                String[] parts = request.split(" ");
                String method = parts[0];
                String path = parts.length > 1 ? parts[1] : "/";
                if (path.startsWith("/queues/")) {
                    Thread.sleep(200);
                    reply(out, "404 Not Found", MNS_EMPTY);
                } else {
                    if ("PUT".equals(method)) {
                        archived.incrementAndGet();
                    }
                    reply(out, "200 OK", null);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(OutputStream out, String status, String xml) throws IOException {
        byte[] body = xml == null ? new byte[0] : xml.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nx-mns-request-id: training\r\nETag: \"training\"\r\n"
                + (xml == null ? "" : "Content-Type: text/xml;charset=utf-8\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static void skipChunks(InputStream in) throws IOException {
        for (String size = line(in); size != null; size = line(in)) {
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                    // trailers (checksums) are not needed
                }
                return;
            }
            in.skipNBytes(n);
            line(in);
        }
    }

    /** One CRLF-terminated line, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                int n = bytes.size();
                byte[] raw = bytes.toByteArray();
                return new String(raw, 0, n > 0 && raw[n - 1] == '\r' ? n - 1 : n, StandardCharsets.US_ASCII);
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.US_ASCII);
    }

    private static void daemon(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
    }
}
