package io.podheitor.hpc.stripe;

/**
 * How a file's bytes map onto independent read lanes (an OST of a Lustre file, an object slot of a chunked one):
 * the file is a sequence of stripe units, each held by one lane. Readers of different lanes do not compete for the
 * same storage target; one sequential reader visits the lanes one unit at a time.
 */
public sealed interface StripeGeometry permits LustreGeometry, ChunkGeometry {
    /** How many distinct lanes the file's units fall on (at least 1). */
    int lanes();

    /** The lane (0 .. lanes()-1) of the unit holding byte {@code offset}. */
    int laneOf(long offset);

    /** The end (exclusive) of the unit holding byte {@code offset}: the next byte may be on another lane. */
    long unitEnd(long offset);
}
