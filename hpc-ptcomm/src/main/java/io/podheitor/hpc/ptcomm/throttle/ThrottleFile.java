package io.podheitor.hpc.ptcomm.throttle;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * throttle.toml (docs/throttle.md §1): written by {@code podheitor-hpc throttle-daemon}, read by every running
 * backend. Exactly three integer keys, {@code threads}, {@code read_buffer_kib} and {@code pause_ms}, each once;
 * comments allowed, nothing else. The file must end with a newline: a write cut inside the last number would
 * otherwise still be a valid file ({@code pause_ms = 1} of {@code pause_ms = 100}).
 *
 * <p>Read and written with Jackson's TOML module, through its streaming parser and generator (no ObjectMapper:
 * the backend parses this every few seconds and should not build a databind model for three numbers).
 */
public final class ThrottleFile {
    /** The default location (the daemon's {@code --file}, the plugin key {@code throttle_file}). */
    public static final Path DEFAULT = Path.of("/var/lib/podheitor-hpc/throttle.toml");
    /** Larger than any file the daemon writes; a larger file is refused without being parsed. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final TomlFactory TOML = new TomlFactory();

    private ThrottleFile() {
    }

    /** A file that is not a valid throttle.toml: why, in one line. */
    public static final class BadThrottleFile extends Exception {
        private static final long serialVersionUID = 1L;

        public BadThrottleFile(String message) {
            super(message);
        }
    }

    /** Parses and validates the content of a throttle.toml strictly. */
    public static ThrottleValues parse(byte[] content) throws BadThrottleFile {
        if (content.length == 0) {
            throw new BadThrottleFile("the file is empty");
        }
        if (content.length > MAX_BYTES) {
            throw new BadThrottleFile("the file has " + content.length + " bytes, more than " + MAX_BYTES);
        }
        if (content[content.length - 1] != '\n') {
            throw new BadThrottleFile("the file does not end with a newline (cut short while it was written?)");
        }
        Long threads = null;
        Long buffer = null;
        Long pause = null;
        try (JsonParser p = TOML.createParser(content)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadThrottleFile("not a TOML document");
            }
            for (JsonToken t; (t = p.nextToken()) != JsonToken.END_OBJECT; ) {
                if (t != JsonToken.FIELD_NAME) {
                    throw new BadThrottleFile("unexpected " + t);
                }
                String key = p.currentName(); // a key given twice: the TOML parser refuses it ("Duplicate key")
                JsonToken v = p.nextToken();
                if (!key.equals("threads") && !key.equals("read_buffer_kib") && !key.equals("pause_ms")) {
                    throw new BadThrottleFile("unknown key " + key
                            + " (known: threads, read_buffer_kib, pause_ms)");
                }
                if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new BadThrottleFile(key + " must be an integer");
                }
                long n = p.getLongValue();
                switch (key) {
                    case "threads" -> threads = n;
                    case "read_buffer_kib" -> buffer = n;
                    default -> pause = n;
                }
            }
            if (p.nextToken() != null) {
                throw new BadThrottleFile("content after the document");
            }
        } catch (IOException e) {
            throw new BadThrottleFile("not valid TOML: " + firstLine(e.getMessage()));
        }
        if (threads == null || buffer == null || pause == null) {
            throw new BadThrottleFile("missing key " + (threads == null ? "threads"
                    : buffer == null ? "read_buffer_kib" : "pause_ms"));
        }
        String why = ThrottleValues.check(threads, buffer, pause);
        if (why != null) {
            throw new BadThrottleFile(why);
        }
        return new ThrottleValues(threads.intValue(), buffer.intValue(), pause.intValue());
    }

    /** The bytes of a throttle.toml: a comment line (none when null or empty), then the three keys. */
    public static byte[] format(ThrottleValues v, String comment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        if (comment != null && !comment.isEmpty()) {
            for (String line : comment.split("\n", -1)) {
                out.writeBytes(("# " + line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        try (JsonGenerator g = TOML.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("threads", v.threads());
            g.writeNumberField("read_buffer_kib", v.readBufferKib());
            g.writeNumberField("pause_ms", v.pauseMs());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("TOML generator failed on a byte array", e);
        }
        byte[] b = out.toByteArray();
        if (b.length == 0 || b[b.length - 1] != '\n') {
            out.write('\n');
            b = out.toByteArray();
        }
        return b;
    }

    /**
     * Replaces {@code file} with {@code content} so that a reader sees the old or the new file, never a mix:
     * written to a temporary file in the same directory, fsync'ed, renamed over {@code file}, then the directory
     * fsync'ed (the rename itself survives a crash). The file is 0644: backends of any user may read it.
     */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            // createTempFile's mode is filtered by the umask: set it exactly
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " over " + file + " atomically", e);
            }
            moved = true;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "?";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
