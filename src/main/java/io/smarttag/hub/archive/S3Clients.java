package io.smarttag.hub.archive;

import io.smarttag.hub.destination.Destination;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import org.apache.camel.spi.Registry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The S3 client behind the aws2-s3 endpoint, built from hub.archive.s3.* so that any S3-compatible
 * store (AWS, MinIO, Alibaba OSS) is a matter of configuration: endpoint override, path-style
 * access, region and credentials (static keys, or the AWS default chain when no key is set).
 */
public final class S3Clients {

    private S3Clients() {
    }

    /** The registry name of an archive destination's S3 client (bound at start, named in its route's URI). */
    public static String beanName(Destination destination) {
        return beanName(destination.name());
    }

    public static String beanName(String destinationName) {
        return "s3-" + destinationName;
    }

    /**
     * Binds the client of one archive destination under {@link #beanName}, built at its first use
     * (the first event the destination archives, or a backfill reading it) and kept from then on.
     * The SDK's first client takes about a quarter of a second of a 2-core start (its defaults, the
     * HTTP client and its TLS context), and the hub is ready for callbacks without it (issue 21:
     * ready in 2 s). Its options are read here, so a malformed one still stops the start.
     */
    public static void bind(Destination destination, Registry registry) {
        Options options = Options.of(destination);
        registry.bind(beanName(destination), S3Client.class, options::build);
    }

    /** An archive destination's s3.* options (each defaulting to hub.archive.s3.*), parsed. */
    private record Options(Region region, boolean pathStyle, Duration timeout, URI endpoint, String accessKey, String secretKey) {

        static Options of(Destination destination) {
            String timeout = destination.option("s3.timeout-ms");
            long timeoutMs;
            try {
                timeoutMs = Long.parseLong(timeout);
            } catch (NumberFormatException e) {
                throw malformed(destination, "s3.timeout-ms", timeout, "is not a number of milliseconds");
            }
            return new Options(Region.of(destination.option("s3.region")), Boolean.parseBoolean(destination.option("s3.path-style")),
                    Duration.ofMillis(timeoutMs), endpoint(destination), destination.option("s3.access-key"), destination.option("s3.secret-key"));
        }

        /** The endpoint override (null: AWS's own), an http or https URL. */
        private static URI endpoint(Destination destination) {
            String endpoint = destination.option("s3.endpoint");
            if (endpoint.isEmpty()) {
                return null;
            }
            try {
                URI uri = new URI(endpoint).parseServerAuthority();
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                throw malformed(destination, "s3.endpoint", endpoint, "is not a URL (" + e.getMessage() + ")");
            }
            throw malformed(destination, "s3.endpoint", endpoint, "is not an http or https URL with a host");
        }

        private static IllegalArgumentException malformed(Destination destination, String key, String value, String why) {
            return new IllegalArgumentException("archive destination " + destination.name() + ": " + key + " = '" + value + "' " + why
                    + " (hub.destination." + destination.name() + "." + key + ", or hub.archive." + key + " for every archive destination)");
        }

        S3Client build() {
            S3ClientBuilder builder = S3Client.builder()
                    .region(region)
                    .forcePathStyle(pathStyle)
                    // The SDK's default trailing checksums (aws-chunked + x-amz-trailer) are not
                    // understood by many S3-compatible stores; send checksums only where S3 requires them.
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .overrideConfiguration(c -> c.apiCallTimeout(timeout));
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
            if (!accessKey.isEmpty()) {
                builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
            } else {
                builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
            }
            return builder.build();
        }

        /** Never the keys: a record's own toString would print the secret. */
        @Override
        public String toString() {
            return "S3 options (region " + region + ", endpoint " + endpoint + ")";
        }
    }
}
