package io.smarttag.hub.archive;

import java.net.URI;
import java.time.Duration;
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
    public static String beanName(io.smarttag.hub.destination.Destination destination) {
        return beanName(destination.name());
    }

    public static String beanName(String destinationName) {
        return "s3-" + destinationName;
    }

    /** The client of one archive destination: its s3.* options, each defaulting to hub.archive.s3.*. */
    public static S3Client create(io.smarttag.hub.destination.Destination destination) {
        return create(destination::option);
    }

    private static S3Client create(java.util.function.Function<String, String> option) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(option.apply("s3.region")))
                .forcePathStyle(Boolean.parseBoolean(option.apply("s3.path-style")))
                // The SDK's default trailing checksums (aws-chunked + x-amz-trailer) are not
                // understood by many S3-compatible stores; send checksums only where S3 requires them.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMillis(Long.parseLong(option.apply("s3.timeout-ms")))));
        if (!option.apply("s3.endpoint").isEmpty()) {
            builder.endpointOverride(URI.create(option.apply("s3.endpoint")));
        }
        if (!option.apply("s3.access-key").isEmpty()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    option.apply("s3.access-key"), option.apply("s3.secret-key"))));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }
}
