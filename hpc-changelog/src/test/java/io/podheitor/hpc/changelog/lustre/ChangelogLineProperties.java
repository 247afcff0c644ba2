package io.podheitor.hpc.changelog.lustre;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.podheitor.hpc.lustre.Fid;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Records printed as lfs prints them parse back to the same values, names byte for byte. */
class ChangelogLineProperties {
    record Spec(long index, RecordType type, Instant time, int flags, Fid target, Fid parent, byte[] name,
            Fid sourceFid, Fid sourceParent, byte[] sourceName) {
        byte[] line() {
            return RecordText.format(index, type, time, flags, target, "ef=0xf u=0:0", parent, name, sourceFid,
                    sourceParent, sourceName);
        }
    }

    @Provide
    Arbitrary<Fid> fids() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers(), Arbitraries.integers())
                .as(Fid::new);
    }

    /** Any bytes but the newline (the reader joins those, tested there), not empty, at most NAME_MAX. */
    @Provide
    Arbitrary<byte[]> names() {
        return Arbitraries.bytes().filter(b -> b != '\n').array(byte[].class).ofMinSize(1).ofMaxSize(255)
                .filter(n -> !new String(n, java.nio.charset.StandardCharsets.ISO_8859_1).contains(" s=["));
    }

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<RecordType> types = Arbitraries.of(RecordType.values()).filter(t -> t != RecordType.UNKNOWN);
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 253402300799L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE), types, times,
                Arbitraries.integers().between(0, 0xfff), fids(), fids(), names(), names())
                .as((i, t, tm, fl, target, parent, name, old) -> {
                    boolean rename = t == RecordType.RENME;
                    Fid p = Fids.isZero(parent) ? new Fid(1, 1, 1) : parent;
                    return new Spec(i, t, tm, fl, target, p, name, rename ? target : null, rename ? p : null,
                            rename ? old : null);
                }).filter(s -> !s.type().equals(RecordType.RENME) || !Fids.isZero(s.sourceFid()));
    }

    @Property(tries = 500)
    void printedRecordsParseBack(@ForAll("specs") Spec s) throws Exception {
        byte[] line = s.line();
        ChangelogRecord r = ChangelogLine.parse(line, line.length, 1);
        assertEquals(s.index(), r.index());
        assertEquals(s.type(), r.type());
        assertEquals(s.time(), r.time());
        assertEquals(s.flags(), r.flags());
        assertEquals(s.target(), r.target());
        assertEquals(s.parent(), r.parent());
        assertArrayEquals(s.name(), r.name());
        if (s.sourceFid() == null) {
            assertNull(r.sourceFid());
        } else {
            assertEquals(s.sourceFid(), r.sourceFid());
            assertEquals(s.sourceParent(), r.sourceParent());
            assertArrayEquals(s.sourceName(), r.sourceName());
        }
    }

    @Property(tries = 100)
    void aStreamOfRecordsReadsBackInOrder(@ForAll @Size(max = 30) List<@net.jqwik.api.From("specs") Spec> specs)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Spec s : specs) {
            out.writeBytes(s.line());
            out.write('\n');
        }
        List<ChangelogRecord> read = new ArrayList<>();
        try (ChangelogReader reader = new ChangelogReader(new ByteArrayInputStream(out.toByteArray()))) {
            ChangelogRecord r;
            while ((r = reader.next()) != null) {
                read.add(r);
            }
        }
        assertEquals(specs.size(), read.size());
        for (int i = 0; i < specs.size(); i++) {
            assertEquals(specs.get(i).index(), read.get(i).index());
            assertArrayEquals(specs.get(i).name(), read.get(i).name());
        }
    }
}
