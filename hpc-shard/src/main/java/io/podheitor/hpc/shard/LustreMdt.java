package io.podheitor.hpc.shard;

import io.podheitor.hpc.posix.StatX;

/**
 * {@code strategy=lustre-mdt}: one shard per MDT. A non-directory belongs to shard {@code mdtIndex mod N}
 * ({@link MdtLookup#mdtIndex}, asked before the stat); an entry whose MDT cannot be told, or that the listing
 * cannot type, goes by {@link InodeHash} of the same shard, and one whose lookup failed is saved by every shard
 * ({@link MdtLookup#FAILED}: never lost). Directories are walked and saved by every shard. Built
 * only when {@link MdtLookup#mdtCount} answered; otherwise {@link ShardSpec#strategy} warns once and returns the
 * inode-hash strategy instead.
 */
public record LustreMdt(Shard shard, MdtLookup lookup, int mdtCount) implements ShardStrategy {
    private InodeHash fallback() {
        return new InodeHash(shard);
    }

    private boolean ownsName(byte[] parent, byte[] name, long dIno) {
        int mdt = lookup.mdtIndex(parent, name, dIno);
        if (mdt == MdtLookup.FAILED) {
            return true;
        }
        return mdt < 0 ? InodeHash.owns(shard, dIno) : shard.owns(mdt % shard.n());
    }

    @Override
    public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
        return !InodeHash.decidedFromListing(dIno, dType) || ownsName(parent, name, dIno);
    }

    @Override
    public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
        return fallback().admitsListed(path, st, dIno, dType);
    }

    @Override
    public boolean admits(byte[] path, StatX st) {
        return fallback().admits(path, st);
    }

    @Override
    public String describe() {
        return "lustre-mdt " + shard + " (" + mdtCount + " MDTs, " + lookup + ")";
    }

    @Override
    public boolean decidesBeforeStat() {
        return true;
    }
}
