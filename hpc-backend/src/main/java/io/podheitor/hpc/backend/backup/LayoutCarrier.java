package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.LayoutCodec;
import io.podheitor.hpc.lustre.LayoutComponent;
import java.io.IOException;
import java.util.Optional;

/**
 * The layout that travels with a Lustre file's data (docs/stripe.md, "The layout travels with the data"). Bacula
 * gives a restore a file's attributes, then its data, then its extended attributes: the layout must be known before
 * the first byte is written, so it cannot ride in the metadata blob. A striped, PFL or pooled file's data section
 * therefore starts with the encoded layout ({@link LayoutCodec}), and its FILE record says so with
 * {@code rdev = }{@link #MARK} (a regular file's rdev is otherwise 0; Bacula keeps it in the catalog's attributes and
 * hands it back at restore, also in a restore of a subset of files). In a sparse section the header is the packet at
 * offset 0 and every data offset is moved up by the header's length; the restore takes it off again.
 */
final class LayoutCarrier {
    /** The rdev of a regular file whose data section starts with its layout: "PHLY". */
    static final long MARK = 0x50484C59L;

    private final FileLayouts layouts;
    private final boolean on;

    /** @param on whether layouts travel ({@code mode=lustre}) */
    LayoutCarrier(FileLayouts layouts, boolean on) {
        this.layouts = layouts;
        this.on = on;
    }

    /** The layouts files are asked for. */
    FileLayouts layouts() {
        return layouts;
    }

    /** The header for {@code file} (opened), or empty when its layout is not worth carrying or it has none. */
    Optional<byte[]> header(FileToRead file) throws CannotRead {
        if (!on) {
            return Optional.empty();
        }
        return file.layout().filter(LayoutCarrier::worthCarrying).map(LayoutCodec::encode);
    }

    /** Striped (more than one stripe), PFL, or in a pool: what a restore with the default layout would lose. */
    static boolean worthCarrying(Layout l) {
        if (l.composite() || l.components().size() > 1) {
            return true;
        }
        LayoutComponent c = l.components().getFirst();
        return !c.pool().isEmpty() || (c.stripeCount() > 1 && c.stripeCount() != Layout.DEFAULT
                && c.stripeCount() != Layout.INVALID) || c.stripeCount() == Layout.WIDE;
    }

    /** {@code inner} with {@code header} sent first; for a sparse section, the data offsets moved up by its length. */
    static DataSink prefixed(DataSink inner, byte[] header, boolean sparse) throws IOException {
        if (!sparse) {
            inner.data(header, 0, header.length);
            return inner;
        }
        byte[] first = new byte[SparseReader.HEADER + header.length]; // offset 0, then the header
        System.arraycopy(header, 0, first, SparseReader.HEADER, header.length);
        inner.data(first, 0, first.length);
        return new Shifted(inner, header.length);
    }

    /** A sparse section's packets with their offsets moved up by {@code shift}. */
    private static final class Shifted implements DataSink {
        private final DataSink inner;
        private final long shift;
        private byte[] scratch = new byte[0];

        Shifted(DataSink inner, long shift) {
            this.inner = inner;
            this.shift = shift;
        }

        @Override
        public void data(byte[] buf, int off, int len) throws IOException {
            if (len < SparseReader.HEADER) {
                throw new IllegalStateException("a sparse packet of " + len + " bytes");
            }
            if (scratch.length < len) {
                scratch = new byte[len];
            }
            System.arraycopy(buf, off, scratch, 0, len);
            long pos = 0;
            for (int i = 0; i < SparseReader.HEADER; i++) {
                pos = (pos << 8) | (scratch[i] & 0xff);
            }
            pos += shift;
            for (int i = 0; i < SparseReader.HEADER; i++) {
                scratch[i] = (byte) (pos >>> (56 - 8 * i));
            }
            inner.data(scratch, 0, len);
        }

        @Override
        public void end() throws IOException {
            inner.end();
        }

        @Override
        public void readError(String text) throws IOException {
            inner.readError(text);
        }

        @Override
        public void changedWhileRead(String text) throws IOException {
            inner.changedWhileRead(text);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public boolean stopped() {
            return inner.stopped();
        }
    }
}
