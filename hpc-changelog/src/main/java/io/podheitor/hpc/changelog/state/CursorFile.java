package io.podheitor.hpc.changelog.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The text form of a {@link CursorState} and its atomic replacement: write a temporary file in the same
 * directory, fsync it, rename it over the old one, fsync the directory. A reader sees the old file or the new
 * one, never a part; after a crash one of them is on disk.
 *
 * <pre>
 * podheitor-hpc changelog cursor 1
 * consumer=cl1
 * last_run=2026-03-16T02:52:19Z
 * committed.lustre-MDT0000=1234
 * pending.lustre-MDT0000=1300
 * consumer_lost.lustre-MDT0001=1
 * </pre>
 */
final class CursorFile {
    static final String MAGIC = "podheitor-hpc changelog cursor 1";
    static final Pattern MDT = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Pattern CONSUMER = Pattern.compile("cl[0-9]+(-[A-Za-z0-9_-]{1,64})?");

    private CursorFile() {
    }

    static CursorState read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return CursorState.empty();
        }
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(MAGIC)) {
            throw new IOException(file + ": not a changelog cursor file (first line is not '" + MAGIC + "')");
        }
        String consumer = null;
        Instant lastRun = null;
        Map<String, Long> committed = new HashMap<>();
        Map<String, Long> pending = new HashMap<>();
        Set<String> lost = new HashSet<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IOException(file + ": line " + (i + 1) + ": key=value expected");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            try {
                if (key.equals("consumer")) {
                    consumer = checked(CONSUMER, value, "consumer id");
                } else if (key.equals("last_run")) {
                    lastRun = Instant.parse(value);
                } else if (key.startsWith("committed.")) {
                    committed.put(checked(MDT, key.substring(10), "MDT"), Long.parseLong(value));
                } else if (key.startsWith("pending.")) {
                    pending.put(checked(MDT, key.substring(8), "MDT"), Long.parseLong(value));
                } else if (key.startsWith("consumer_lost.")) {
                    lost.add(checked(MDT, key.substring(14), "MDT"));
                } else {
                    throw new IOException("unknown key " + key);
                }
            } catch (IOException | NumberFormatException | DateTimeParseException e) {
                throw new IOException(file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new CursorState(consumer, lastRun, committed, pending, lost);
    }

    static String format(CursorState s) {
        StringBuilder b = new StringBuilder(MAGIC).append('\n');
        if (s.consumer() != null) {
            b.append("consumer=").append(s.consumer()).append('\n');
        }
        if (s.lastRun() != null) {
            b.append("last_run=").append(s.lastRun()).append('\n');
        }
        s.committed().forEach((m, v) -> b.append("committed.").append(m).append('=').append(v).append('\n'));
        s.pending().forEach((m, v) -> b.append("pending.").append(m).append('=').append(v).append('\n'));
        s.consumerLost().forEach(m -> b.append("consumer_lost.").append(m).append("=1\n"));
        return b.toString();
    }

    /** Replaces {@code file} with the state, atomically and durably. */
    static void write(Path file, CursorState s) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        byte[] bytes = format(s).getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static String checked(Pattern p, String value, String what) throws IOException {
        if (!p.matcher(value).matches()) {
            throw new IOException("not a valid " + what + ": " + value);
        }
        return value;
    }
}
