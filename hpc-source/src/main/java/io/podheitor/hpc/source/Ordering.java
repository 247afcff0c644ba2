package io.podheitor.hpc.source;

/** The delivery order an {@link EntrySource} guarantees. */
public enum Ordering {
    /**
     * Every directory's {@link Entry} comes after every item below it, and the source's root comes last (Bacula's
     * FT_DIREND convention, docs/ptcomm.md §4.5). The shim's FileSet filter and the restore depend on it: the
     * shim caches a directory's verdict while its contents pass, and the restore applies a directory's attributes
     * after its contents were created. Every source delivers in this order; one whose input has no such order
     * (a change log) must bring its entries into it before delivering them.
     */
    DIRECTORIES_AFTER_CONTENTS
}
