package io.smarttag.hub.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * One keep-alive HTTP/1.1 connection that POSTs signed VOD callbacks, on a plain socket. A load
 * thread owns one of these and sends synchronously, so N threads are N connections. Plain sockets
 * instead of the JDK HttpClient keep the load generator's own CPU cost small (it shares 2 cores
 * with the hub and PostgreSQL), and the benchmark reports that cost per phase to prove it.
 */
final class HttpLoadClient implements AutoCloseable {

    private final String host;
    private final int port;
    private final String path;
    private final String signedUrl;
    private final String authKey;
    private final MessageDigest md5;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private String lastBody = "";
    private long signedSecond = -1;
    private String signature;

    /** @param signedUrl the callback URL as configured in the hub (hub.callback.url), part of the signature */
    HttpLoadClient(URI target, String signedUrl, String authKey) throws Exception {
        this.host = target.getHost();
        this.port = target.getPort();
        this.path = target.getRawPath();
        this.signedUrl = signedUrl;
        this.authKey = authKey;
        this.md5 = MessageDigest.getInstance("MD5");
    }

    /** VOD's callback signature: md5hex(url|timestamp|key). */
    static String sign(MessageDigest md5, String url, long timestampSeconds, String key) {
        return HexFormat.of().formatHex(md5.digest((url + "|" + timestampSeconds + "|" + key).getBytes(StandardCharsets.UTF_8)));
    }

    /** POSTs the event; returns the status code. The answer's body is in {@link #lastBody()}. */
    int post(byte[] body) throws IOException {
        long now = System.currentTimeMillis() / 1000;
        if (now != signedSecond) { // VOD signs per request; one MD5 per second per connection is the same header
            signature = sign(md5, signedUrl, now, authKey);
            signedSecond = now;
        }
        if (socket == null) {
            connect();
        }
        try {
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nX-VOD-TIMESTAMP: " + now + "\r\nX-VOD-SIGNATURE: " + signature + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close(); // the next request reconnects
            throw e;
        }
    }

    String lastBody() {
        return lastBody;
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    private int readResponse() throws IOException {
        String status = line();
        int code = Integer.parseInt(status.split(" ", 3)[1]);
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                closeAfter = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length > 0) {
            body.write(in.readNBytes((int) length));
        }
        lastBody = body.toString(StandardCharsets.UTF_8);
        if (closeAfter) {
            close();
        }
        return code;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed by the hub");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // going away anyway
            }
        }
        socket = null;
    }
}
