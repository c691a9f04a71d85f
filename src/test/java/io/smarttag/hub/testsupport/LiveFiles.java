package io.smarttag.hub.testsupport;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Regular files under a folder that a running hub is writing to. {@code Files.walk} throws when a file
 * vanishes between listing and stat (the file component's {@code .tmp-} files are renamed away), so
 * the walk here skips what disappeared instead of failing the test.
 */
public final class LiveFiles {

    private LiveFiles() {
    }

    public static List<Path> under(Path root, Predicate<Path> wanted) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && wanted.test(file)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    /** Total size of the files under root; a file that vanished meanwhile counts 0. */
    public static long bytes(Path root) throws IOException {
        long total = 0;
        for (Path f : under(root, p -> true)) {
            total += f.toFile().length();
        }
        return total;
    }
}
