package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Idle and trickling connections cannot starve the callback port. The hub runs as its own process
 * with an open-file limit of 4096, so the 20,000 connections attempted here (a third idle, a third
 * sending their headers one byte every 500 ms, a third announcing a longer body than they send)
 * would exhaust it without a connection cap, as 21,000 did on the default limit of 20,000. While
 * they are attempted, a normal callback is posted every 250 ms on its own connection and health is
 * polled every 500 ms: every callback must get its 200 within VOD's 5 s, and health must answer.
 * Afterwards every attacker connection must have been closed by the hub (the request deadline),
 * with 408 for the incomplete bodies, and the hub's log holds no ERROR (clients that drop in the
 * middle of a body included).
 */
class CallbackConnectionLimitsTest {

    private static final int ATTEMPTS = 20_000;
    private static final int HUB_FILE_LIMIT = 4096;
    /** More than the hub's file limit, far below this JVM's own (20,000 on CI). */
    private static final int LOCAL_OPEN_CAP = 6_000;
    private static final long ATTACK_MILLIS = 22_000;
    private static final int REQUEST_TIMEOUT_MS = 2_000;
    private static final int IDLE_TIMEOUT_MS = 3_000;
    private static final long VOD_TIMEOUT_MS = 5_000;
    private static final byte[] TRICKLE = "X".getBytes(StandardCharsets.US_ASCII);

    @Test
    void normalCallbacksAndHealthGetThroughWhile20000IdleAndTricklingConnectionsAreAttempted() throws Exception {
        Path home = Files.createTempDirectory("connection-limits");
        Map<String, String> props = Map.of(
                "hub.http.port", String.valueOf(TestServers.freePort()),
                "hub.management.port", String.valueOf(TestServers.freePort()),
                "hub.http.request-timeout-ms", String.valueOf(REQUEST_TIMEOUT_MS),
                "hub.http.idle-timeout-ms", String.valueOf(IDLE_TIMEOUT_MS));
        try (HubProcess hub = HubProcess.start(home, props, HUB_FILE_LIMIT)) {
            InetSocketAddress callbackPort = new InetSocketAddress("127.0.0.1", hub.callbackUri().getPort());
            int managementPort = Integer.parseInt(props.get("hub.management.port"));
            AtomicBoolean attacking = new AtomicBoolean(true);

            List<String> callbackFailures = new ArrayList<>();
            AtomicInteger callbacks = new AtomicInteger();
            AtomicLong slowestCallback = new AtomicLong();
            Thread callbackThread = new Thread(() -> {
                while (attacking.get()) {
                    int n = callbacks.incrementAndGet();
                    byte[] event = Samples.with(Samples.seed(), "JobId", "conn-limit-" + n);
                    long start = System.nanoTime();
                    String status = exchange(callbackPort, "POST " + hub.callbackUri().getPath() + " HTTP/1.1\r\nHost: hub\r\n"
                            + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + event.length + "\r\n\r\n", event);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    slowestCallback.accumulateAndGet(millis, Math::max);
                    if (!status.startsWith("HTTP/1.1 200") || millis > VOD_TIMEOUT_MS) {
                        synchronized (callbackFailures) {
                            callbackFailures.add("callback " + n + ": " + status + " after " + millis + " ms");
                        }
                    }
                    pause(250);
                }
            }, "callbacks");

            List<String> healthFailures = new ArrayList<>();
            AtomicInteger healthPolls = new AtomicInteger();
            AtomicLong maxHubFiles = new AtomicLong();
            InetSocketAddress health = new InetSocketAddress("127.0.0.1", managementPort);
            Thread healthThread = new Thread(() -> {
                while (attacking.get()) {
                    healthPolls.incrementAndGet();
                    long start = System.nanoTime();
                    String status = exchange(health, "GET /observe/health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n", new byte[0]);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    if (!status.startsWith("HTTP/1.1 200") || millis > VOD_TIMEOUT_MS) {
                        synchronized (healthFailures) {
                            healthFailures.add(status + " after " + millis + " ms");
                        }
                    }
                    maxHubFiles.accumulateAndGet(openFiles(hub.pid()), Math::max);
                    pause(500);
                }
            }, "health");

            // a running hub has served callbacks before (its code is compiled): ten, before the attack
            for (int i = 1; i <= 10; i++) {
                byte[] event = Samples.with(Samples.seed(), "JobId", "conn-limit-warm-" + i);
                assertEquals(200, hub.post(event).statusCode());
            }
            callbackThread.start();
            healthThread.start();
            Attack attack = new Attack(callbackPort, hub.callbackUri().getPath());
            try {
                attack.run(ATTEMPTS, ATTACK_MILLIS);
            } finally {
                attacking.set(false);
                callbackThread.join();
                healthThread.join();
            }
            // no new attackers: those still open must be closed by the hub within the deadlines
            long leftAfterAttack = attack.open();
            attack.drain(REQUEST_TIMEOUT_MS * 2L + IDLE_TIMEOUT_MS + 3_000);
            long stillOpen = attack.open();
            attack.closeAll();

            String figures = String.format("attempted %d attacker connections (max %d open here at once, %d connect timeouts), "
                    + "%d closed by the hub, %d answered 408, %d left open after the attack, %d still open after the deadlines; "
                    + "callbacks %d, failed %d, slowest %d ms; health polls %d, failed %d; hub open files max %d",
                    attack.attempted, attack.maxOpen, attack.connectTimeouts, attack.closedByHub, attack.answered408,
                    leftAfterAttack, stillOpen, callbacks.get(), callbackFailures.size(), slowestCallback.get(),
                    healthPolls.get(), healthFailures.size(), maxHubFiles.get());
            System.out.println("CallbackConnectionLimitsTest: " + figures);

            assertEquals(ATTEMPTS, attack.attempted, figures);
            assertTrue(callbackFailures.isEmpty(), figures + "; " + callbackFailures.subList(0, Math.min(5, callbackFailures.size())));
            assertTrue(callbacks.get() >= 20, figures);
            assertTrue(healthFailures.isEmpty(), figures + "; " + healthFailures.subList(0, Math.min(5, healthFailures.size())));
            assertEquals(0, stillOpen, "idle and trickling connections must be closed by the hub: " + figures);
            assertTrue(attack.answered408 > 0, "an incomplete body gets 408: " + figures);
            try (Stream<String> lines = Files.lines(hub.log())) {
                List<String> errors = lines.filter(line -> line.contains(" ERROR ") || line.contains("HttpClosedException")).limit(5).toList();
                assertTrue(errors.isEmpty(), "no ERROR in the hub log (clients dropping mid-body included): " + errors);
            }
        }
    }

    /** Idle, slow-header and short-body connections, opened as fast as the local cap allows. */
    private static final class Attack {
        private final InetSocketAddress target;
        private final String path;
        private final Selector selector;
        private final Set<SelectionKey> keys = new HashSet<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocate(4096);
        private final List<SelectionKey> trickle = new ArrayList<>();
        private long nextChores;
        int attempted;
        int maxOpen;
        int connectTimeouts;
        int closedByHub;
        int answered408;

        Attack(InetSocketAddress target, String path) throws IOException {
            this.target = target;
            this.path = path;
            this.selector = Selector.open();
        }

        private static final class Conn {
            final int kind;
            final long opened = System.nanoTime();
            boolean connected;
            long nextTrickle;

            Conn(int kind) {
                this.kind = kind;
            }
        }

        int open() {
            return keys.size();
        }

        void run(int attempts, long millis) throws IOException {
            long end = System.nanoTime() + millis * 1_000_000;
            double perMilli = attempts / (double) (millis - 2_000); // all attempted 2 s before the end
            long started = System.nanoTime();
            while (System.nanoTime() < end) {
                long due = Math.min(attempts, (long) ((System.nanoTime() - started) / 1_000_000 * perMilli));
                while (attempted < due && keys.size() < LOCAL_OPEN_CAP) {
                    openOne();
                }
                maxOpen = Math.max(maxOpen, keys.size());
                poll(10);
            }
        }

        void drain(long millis) throws IOException {
            long end = System.nanoTime() + millis * 1_000_000;
            while (!keys.isEmpty() && System.nanoTime() < end) {
                poll(20);
            }
        }

        private void openOne() throws IOException {
            attempted++;
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            Conn conn = new Conn(attempted % 3);
            SelectionKey key;
            try {
                boolean now = channel.connect(target);
                key = channel.register(selector, now ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, conn);
                keys.add(key);
                if (now) {
                    connected(key);
                }
            } catch (IOException e) {
                channel.close();
            }
        }

        private void connected(SelectionKey key) throws IOException {
            Conn conn = (Conn) key.attachment();
            conn.connected = true;
            key.interestOps(SelectionKey.OP_READ);
            SocketChannel channel = (SocketChannel) key.channel();
            String head = "POST " + path + " HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n";
            if (conn.kind == 1) {
                write(key, head.getBytes(StandardCharsets.US_ASCII)); // headers never finished
                conn.nextTrickle = System.nanoTime() + 500_000_000L;
            } else if (conn.kind == 2) {
                write(key, (head + "Content-Length: 5000\r\n\r\n{\"EventType\":\"AIVideoTagComplete\",").getBytes(StandardCharsets.US_ASCII));
            }
            // kind 0: idle, sends nothing
        }

        private void write(SelectionKey key, byte[] bytes) {
            try {
                ((SocketChannel) key.channel()).write(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                closeByHub(key);
            }
        }

        private void poll(long millis) throws IOException {
            selector.select(millis);
            for (SelectionKey key : selector.selectedKeys()) {
                if (!key.isValid()) {
                    continue;
                }
                SocketChannel channel = (SocketChannel) key.channel();
                try {
                    if (key.isConnectable()) {
                        if (channel.finishConnect()) {
                            connected(key);
                        }
                    } else if (key.isReadable()) {
                        readBuffer.clear();
                        int read = channel.read(readBuffer);
                        if (read > 0 && new String(readBuffer.array(), 0, read, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 408")) {
                            answered408++;
                        }
                        if (read < 0) {
                            closeByHub(key);
                        }
                    }
                } catch (IOException e) {
                    closeByHub(key);
                }
            }
            selector.selectedKeys().clear();
            long now = System.nanoTime();
            if (now < nextChores) {
                return; // trickle and connect timeouts every 100 ms: this JVM shares the cores with the hub
            }
            nextChores = now + 100_000_000L;
            List<SelectionKey> expired = new ArrayList<>();
            for (SelectionKey key : keys) {
                Conn conn = (Conn) key.attachment();
                if (!conn.connected && now - conn.opened > 3_000_000_000L) {
                    expired.add(key);
                } else if (conn.connected && conn.kind == 1 && now >= conn.nextTrickle) {
                    conn.nextTrickle = now + 500_000_000L;
                    trickle.add(key);
                }
            }
            for (SelectionKey key : trickle) {
                write(key, TRICKLE);
            }
            trickle.clear();
            for (SelectionKey key : expired) {
                connectTimeouts++;
                close(key);
            }
        }

        private void closeByHub(SelectionKey key) {
            if (keys.contains(key)) {
                closedByHub++;
            }
            close(key);
        }

        private void close(SelectionKey key) {
            keys.remove(key);
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        void closeAll() throws IOException {
            for (SelectionKey key : new ArrayList<>(keys)) {
                close(key);
            }
            selector.close();
        }
    }

    /** One request on its own connection; the status line, or what went wrong. Gives up after 5 s. */
    private static String exchange(InetSocketAddress target, String head, byte[] body) {
        long deadline = System.currentTimeMillis() + VOD_TIMEOUT_MS;
        try (Socket socket = new Socket()) {
            socket.connect(target, (int) VOD_TIMEOUT_MS);
            socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(head.getBytes(StandardCharsets.US_ASCII));
            request.write(body);
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.length() == 0 ? "connection closed without an answer" : line.toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long openFiles(long pid) {
        String[] files = new java.io.File("/proc/" + pid + "/fd").list();
        return files == null ? -1 : files.length;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
