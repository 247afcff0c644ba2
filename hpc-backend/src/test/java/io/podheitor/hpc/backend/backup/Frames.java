package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameReader;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.source.Entry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: frames written into memory and read back, entries from real files. */
final class Frames {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final FrameWriter out = new FrameWriter(bytes);

    /** Every frame written so far (flushes first). */
    List<Frame> written() throws IOException {
        out.flush();
        FrameReader r = new FrameReader(new ByteArrayInputStream(bytes.toByteArray()));
        List<Frame> frames = new ArrayList<>();
        for (Frame f; (f = r.read()) != null; ) {
            frames.add(f);
        }
        return frames;
    }

    /**
     * The frames as short strings: "C <text>" for commands (FILE records: "C FILE <type> <name>"), "D <n>", "F",
     * "I/W/E/A <text>"; the job's closing summary line (I "summary: ...") is left out: {@link #summaryLine()}.
     */
    List<String> summary() throws IOException {
        List<String> s = new ArrayList<>();
        for (Frame f : written()) {
            if (f.status() == 'I' && f.text().startsWith("summary: ")) {
                continue;
            }
            s.add(switch (f.status()) {
                case 'C' -> {
                    String t = new String(f.payload(), StandardCharsets.ISO_8859_1);
                    if (t.startsWith("FILE ")) {
                        String[] head = t.substring(0, t.indexOf('\n')).split(" ");
                        int nul = t.indexOf('\0');
                        yield "C FILE " + head[1] + " " + t.substring(t.indexOf('\n') + 1, nul);
                    }
                    if (t.startsWith("CHECK FILE ")) {
                        int nul = t.indexOf('\0');
                        yield "C CHECK " + t.substring(t.indexOf('\n') + 1, nul);
                    }
                    yield "C " + t;
                }
                case 'D' -> "D " + f.payload().length;
                case 'F' -> "F";
                default -> f.status() + " " + f.text();
            });
        }
        return s;
    }

    /** The closing summary line's text, or null. */
    String summaryLine() throws IOException {
        for (Frame f : written()) {
            if (f.status() == 'I' && f.text().startsWith("summary: ")) {
                return f.text();
            }
        }
        return null;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] b(Path p) {
        return b(p.toString());
    }

    /** An entry for a real file, as a source without read-ahead delivers it. */
    static Entry entry(Path p) throws PosixException {
        StatX st = Posix.lstat(b(p));
        return new Entry(b(p), st, st.isSymlink() ? Posix.readlinkat(io.podheitor.hpc.posix.Fcntl.AT_FDCWD, b(p)) : null);
    }
}
