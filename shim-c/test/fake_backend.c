/*
 * fake_backend.c - a tiny backend speaking docs/ptcomm.md, for fake_fd.
 * Independent of the shim's code on purpose.
 *
 * PHPC_FAKE_MODE selects the behaviour:
 *   normal     backup: 8 records (files with data, empty file, symlink,
 *              hard link, big file, name with a newline + ACL blob, read
 *              error, directory); estimate: the same without data;
 *              restore: OK/DONE/SKIP/E replies by name ("skip", "fail",
 *              "badclose" in the name)
 *   stderr     like normal, plus two stderr lines at start
 *   garbage    a bad frame header after BackupStart
 *   die        SIGKILLs itself in the middle of the first file's data
 *   exitearly  exits with status 3 right after Hello
 *   abort      answers BackupStart with A
 *   slow       sends the first record, then sleeps (for the cancel test)
 *   empty      no files at all
 *   badhello   wrong Hello answer
 *   hang       never reads nor writes (timeout test)
 *   noterm     as hang, with SIGTERM ignored (only SIGKILL ends it)
 *   accurate   backup: CHECKs /data/same.txt, /data/new.txt and /data/dir/,
 *              with KEEP /data/locked/ and KEEP /data/secret.txt among them,
 *              reads the three answers, sends a record for each CHANGED one
 *   filter     backup/estimate of a tree for FileSet options (fake_fd's
 *              AcceptFile excludes "*.o" files and "*" "/tmp" directories): files
 *              below /data/tmp/, a 3-name hard link whose first name h.o is
 *              excluded (CHECKed like the Java backend does: the first name
 *              is the first CHECKed name answered CHANGED), a deep directory
 *              with several files, then /data/
 *   accfilter  accurate backup: CHECKs /data/tmp/f, /data/x.o, /data/same.c,
 *              /data/new.c, /data/tmp/, then sends what was CHANGED
 *   changelog  accurate backup without a walk (docs/ptcomm.md §8): KEEP /data,
 *              GONE /data/old.txt, GONE /data/olddir/ with KEEP
 *              /data/olddir/locked below it, GONE and KEEP of /data/both, then
 *              the one changed file /data/new.txt
 *   badgone    a GONE of a relative name (a protocol error)
 *   oldend     as normal, but ignores the Job line EndStatus=1 (an older
 *              backend): expects a bare END
 *   badendstatus  answers EndStatus=1 with "C EndStatus 9"
 *   stopafter  sends the first record header, then stops itself (SIGSTOP)
 *   envcheck   writes "fds=<open fds> sigblk=<mask> sigign=<mask>\n" (raw,
 *              unframed) describing how it was started, then exits 0
 *   statloop   stat()s PHPC_FAKE_PATH forever, from the start (test/lfs.h:
 *              a name on a hung file system)
 *   fshang     answers up to the start command, then as statloop
 *   handoff    backup with sections handed off (docs/ptcomm.md §4.1c; needs the
 *              Job line Handoff=4): /data/big1 (300000 bytes of (i*13)),
 *              /data/small (D packets "abc"), /data/grown (listed 1000, the
 *              file has 2000 bytes), /data/stopearly (200000 bytes; fake_fd
 *              stops reading it after 64 KiB), /data/noio (100000 bytes; fake_fd
 *              makes no IO calls for it), /data/
 *   handoff_nofd, handoff_twofds, handoff_nodesc, handoff_badtag,
 *   handoff_notreg, handoff_long  an H packet for /data/big1 whose message has no
 *              descriptor queued at all, two descriptors, none, another number, a
 *              pipe, or 9 bytes
 *   handoff_sparse  an H packet in a sparse section
 *   handoff_die  hands /data/big1 off, then SIGKILLs itself before its blob
 * A restore whose Job block has "Pipeline=1" is answered "C Pipeline 1" (the
 * pipelined restore, docs/ptcomm.md §5.1) unless PHPC_FAKE_MODE is "lockstep";
 * then: no answer to a FILE record with Replace=a but a hard link's (else
 * OK/DONE/SKIP or "C FAILED <n> ..." for it), none to F or XATTR; "fail" in a name -> C FAILED
 * at the FILE, "badclose" -> at its F, a "bad" blob -> at the XATTR; a name
 * with "flood" -> 10005 C FAILED packets for it before anything more is read
 * (the shim must read while its writes wait); mode "diemid": SIGKILLs itself
 * at the second FILE record.
 * PHPC_FAKE_LOG names a file receiving one line per packet received, after a
 * first line "EXEC <argv[0]>" (which file the shim started).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *mode = "normal";
static FILE *logf;
static int pipeline;                    /* Job block had Pipeline=1 */
static int end_status;                  /* answered the Job block's EndStatus=1 (docs/ptcomm.md §6) */
static char replace = 'a';              /* Job block's Replace */
static int hand_fd = -1;                /* Job block's Handoff=<fd> */
static unsigned long long hand_no;      /* handoffs sent */
static unsigned char buf[1000000];

static void die(const char *why)
{
    fprintf(stderr, "fake_backend: %s\n", why);
    exit(2);
}

static void read_exact(void *p, size_t n, int eof_ok)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(0, (char *)p + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (eof_ok && got == 0)
                exit(0);                /* stdin EOF: exit quietly */
            die("short read");
        }
        got += (size_t)r;
    }
}

static void write_all(const void *p, size_t n)
{
    while (n > 0) {
        ssize_t r = write(1, p, n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            exit(3);
        p = (const char *)p + r;
        n -= (size_t)r;
    }
}

static void put_pkt(char letter, const void *data, size_t len)
{
    char hdr[32];

    snprintf(hdr, sizeof hdr, "%c%06zu\n", letter, len);
    write_all(hdr, 8);
    if (len)
        write_all(data, len);
}

static void send_text(char letter, const char *s)
{
    put_pkt(letter, s, strlen(s));
}

/* Receive one packet into buf; returns the letter, *len the payload size. */
static char recv_pkt(size_t *len)
{
    char hdr[8];
    size_t n = 0;

    read_exact(hdr, 8, 1);
    if (hdr[7] != '\n')
        die("bad header");
    for (int i = 1; i <= 6; i++) {
        if (hdr[i] < '0' || hdr[i] > '9')
            die("bad header length");
        n = n * 10 + (size_t)(hdr[i] - '0');
    }
    if (!strchr("CDFT", hdr[0]))
        die("bad letter");
    read_exact(buf, n, 0);
    buf[n] = '\0';
    *len = n;
    if (logf) {
        fputc(hdr[0], logf);
        if (hdr[0] == 'D')
            fprintf(logf, " %zu ", n);
        else if (n)
            fputc(' ', logf);
        for (size_t i = 0; i < n && i < 200; i++) {
            if (buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '\\')
                fputc(buf[i], logf);
            else
                fprintf(logf, "\\x%02x", buf[i]);
        }
        fputc('\n', logf);
        fflush(logf);
    }
    return hdr[0];
}

static void expect(char letter, const char *text)
{
    size_t n;
    char l = recv_pkt(&n);

    if (l != letter || (text && strcmp((char *)buf, text) != 0)) {
        fprintf(stderr, "fake_backend: expected %c \"%s\", got %c \"%s\"\n", letter,
                text ? text : "", l, (char *)buf);
        exit(2);
    }
}

/* Read C lines until F; answer F. */
static void block(const char *name)
{
    size_t n;
    int endstatus = 0;

    expect('C', name);
    while (recv_pkt(&n) == 'C') {
        if (strcmp((char *)buf, "EndStatus=1") == 0)
            endstatus = 1;
        if (strcmp((char *)buf, "Pipeline=1") == 0)
            pipeline = 1;
        if (strncmp((char *)buf, "Replace=", 8) == 0)
            replace = (char)buf[8];
        if (strncmp((char *)buf, "Handoff=", 8) == 0)
            hand_fd = atoi((char *)buf + 8);
    }
    if (endstatus && strcmp(mode, "oldend") != 0) {
        send_text('C', strcmp(mode, "badendstatus") == 0 ? "EndStatus 9" : "EndStatus 1");
        end_status = 1;
    }
    put_pkt('F', NULL, 0);
}

static void record(char type, const char *mode_oct, unsigned long long size, unsigned nlink,
                   unsigned flags, unsigned long long linkid, const char *name, size_t name_len,
                   const char *link)
{
    char rec[4096];
    int h = snprintf(rec, sizeof rec,
                     "FILE %c %s 1000 100 %llu 1700000000 1700000100 1700000200 %u 2049 %u 0 8 %u %llu\n",
                     type, mode_oct, size, 4242u + (unsigned)name_len, nlink, flags, linkid);
    size_t n = (size_t)h;

    memcpy(rec + n, name, name_len);
    n += name_len;
    rec[n++] = '\0';
    memcpy(rec + n, link, strlen(link));
    n += strlen(link);
    put_pkt('C', rec, n);
}

/* docs/ptcomm.md §8: "CHECK " + FILE record; returns 1 for CHANGED. */
static int check_one(char type, const char *mode_oct, const char *name)
{
    char rec[4096];
    size_t n;
    int h = snprintf(rec, sizeof rec,
                     "CHECK FILE %c %s 1000 100 5 1700000000 1700000100 1700000200 77 2049 1 0 8 0 0\n",
                     type, mode_oct);

    n = (size_t)h;
    memcpy(rec + n, name, strlen(name) + 1);      /* with the NUL separator */
    n += strlen(name) + 1;
    put_pkt('C', rec, n);
    return 0;
}

static int answer(void)
{
    size_t n;

    if (recv_pkt(&n) != 'C')
        die("expected an answer to CHECK");
    if (strcmp((char *)buf, "CHANGED") == 0)
        return 1;
    if (strcmp((char *)buf, "SEEN") == 0)
        return 0;
    die("bad answer to CHECK");
    return 0;
}

static void accurate_backup(void)
{
    static const char *const names[3] = { "/data/same.txt", "/data/new.txt", "/data/dir/" };
    int changed[3];

    /* pipelined: all three checks first, then the answers in order */
    check_one('F', "100644", names[0]);
    send_text('C', "KEEP /data/locked/");       /* unreadable: kept, not deleted */
    check_one('F', "100644", names[1]);
    send_text('C', "KEEP /data/secret.txt");
    check_one('D', "40755", names[2]);
    for (int i = 0; i < 3; i++)
        changed[i] = answer();
    for (int i = 0; i < 2; i++) {
        if (!changed[i])
            continue;
        record('F', "100644", 5, 1, 1, 0, names[i], strlen(names[i]), "");
        send_text('D', "12345");
        put_pkt('F', NULL, 0);
    }
    if (changed[2])
        record('D', "40755", 0, 2, 0, 0, names[2], strlen(names[2]), "");
    put_pkt('F', NULL, 0);
}

/* a FILE record + data section "<name>" (5 bytes of content) */
static void file_with_data(const char *name, unsigned nlink, int with_data)
{
    record('F', "100644", 5, nlink, with_data ? 1 : 0, 0, name, strlen(name), "");
    if (with_data) {
        send_text('D', "12345");
        put_pkt('F', NULL, 0);
    }
}

static void dir_record(const char *name)
{
    record('D', "40755", 4096, 2, 0, 0, name, strlen(name), "");
}

/* A CHECK like check_one, with nlink (multi-link first-name candidates). */
static void check_linked(const char *name, unsigned nlink)
{
    char rec[4096];
    size_t n;
    int h = snprintf(rec, sizeof rec,
                     "CHECK FILE F 100644 1000 100 5 1700000000 1700000100 1700000200 555 2049 %u 0 8 0 0\n",
                     nlink);

    n = (size_t)h;
    memcpy(rec + n, name, strlen(name) + 1);
    n += strlen(name) + 1;
    put_pkt('C', rec, n);
}

static void filter_backup(int with_data)
{
    static const char *const links[3] = { "/data/h.o", "/data/h.c", "/data/h2.c" };
    int changed[3], first = -1;
    unsigned long long recno = 0, first_recno = 0;

    file_with_data("/data/keep.c", 1, with_data);                   recno++;
    file_with_data("/data/x.o", 1, with_data);                      recno++;
    file_with_data("/data/tmp/a.c", 1, with_data);                  recno++;
    file_with_data("/data/tmp/sub/b.c", 1, with_data);              recno++;
    dir_record("/data/tmp/sub/");                                   recno++;
    dir_record("/data/tmp/");                                       recno++;
    file_with_data("/data/tmpfile.c", 1, with_data);                recno++;
    record('S', "120777", 5, 1, 0, 0, "/data/tmp.o", 11, "x.o");    recno++;
    /* hard links: before choosing a first name, ask (docs/ptcomm.md §3.2) */
    for (int i = 0; i < 3; i++)
        check_linked(links[i], 3);
    for (int i = 0; i < 3; i++)
        changed[i] = answer();
    for (int i = 0; i < 3; i++) {
        if (!changed[i])
            continue;
        if (first < 0) {
            first = i;
            first_recno = recno++;
            file_with_data(links[i], 3, with_data);
        } else {
            record('L', "100644", 5, 3, 0, first_recno, links[i], strlen(links[i]), links[first]);
            recno++;
        }
    }
    /* a deep directory: the shim's cache must not ask about every level for every file */
    for (int i = 0; i < 10; i++) {
        char name[64];

        snprintf(name, sizeof name, "/data/a/b/c/d/f%d.c", i);
        file_with_data(name, 1, with_data);
    }
    dir_record("/data/a/b/c/d/");
    dir_record("/data/a/b/c/");
    dir_record("/data/a/b/");
    dir_record("/data/a/");
    dir_record("/data/");
    put_pkt('F', NULL, 0);
}

static void accfilter_backup(void)
{
    static const char *const names[5] = { "/data/tmp/f", "/data/x.o", "/data/same.c", "/data/new.c",
                                          "/data/tmp/" };
    int changed[5];

    for (int i = 0; i < 4; i++)
        check_one('F', "100644", names[i]);
    check_one('D', "40755", names[4]);
    for (int i = 0; i < 5; i++)
        changed[i] = answer();
    for (int i = 0; i < 4; i++)
        if (changed[i])
            file_with_data(names[i], 1, 1);
    if (changed[4])
        dir_record(names[4]);
    put_pkt('F', NULL, 0);
}

/* An unlinked temporary file of n bytes (byte i = i * mul), open at offset 0. */
static int temp_file(size_t n, unsigned mul)
{
    char path[] = "/tmp/phpc-fake-handoff.XXXXXX";
    unsigned char chunk[4096];
    int fd = mkstemp(path);
    size_t done = 0;

    if (fd < 0)
        die("mkstemp");
    unlink(path);
    while (done < n) {
        size_t k = n - done < sizeof chunk ? n - done : sizeof chunk;
        ssize_t w;

        for (size_t i = 0; i < k; i++)
            chunk[i] = (unsigned char)((done + i) * mul);
        w = write(fd, chunk, k);
        if (w <= 0)
            die("write temp file");
        done += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        die("lseek");
    return fd;
}

/* One message on the handoff socket: len bytes with nfds descriptors. */
static void send_msg(const void *data, size_t len, const int *fds, int nfds)
{
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int) * 4)];
    } ctl;
    struct iovec iov = { (void *)data, len };
    struct msghdr m;

    if (hand_fd < 0)
        die("no Handoff line in the Job block");
    memset(&m, 0, sizeof m);
    memset(&ctl, 0, sizeof ctl);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (nfds > 0) {
        struct cmsghdr *c;

        m.msg_control = ctl.space;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    while (sendmsg(hand_fd, &m, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR)
            die("sendmsg");
    }
}

static void tag_of(unsigned long long no, unsigned char tag[8])
{
    for (int i = 0; i < 8; i++)
        tag[i] = (unsigned char)(no >> (56 - 8 * i));
}

/* The section of fd handed off: the message, our copy closed, the H packet. */
static void hand_off(int fd)
{
    unsigned char tag[8];

    tag_of(++hand_no, tag);
    send_msg(tag, 8, &fd, 1);
    close(fd);
    put_pkt('H', tag, 8);
}

static void handoff_backup(void)
{
    if (strncmp(mode, "handoff_", 8) == 0) {
        unsigned char tag[8], tag2[8];
        int fd = temp_file(300000, 13);

        tag_of(1, tag);
        tag_of(2, tag2);
        if (strcmp(mode, "handoff_sparse") == 0) {
            record('F', "100644", 300000, 1, 1 | 4 | 8, 0, "/data/big1", 10, "");
            send_msg(tag, 8, &fd, 1);
            put_pkt('H', tag, 8);
        } else {
            record('F', "100644", 300000, 1, 1 | 4, 0, "/data/big1", 10, "");
            if (strcmp(mode, "handoff_die") == 0) {
                hand_off(fd);
                raise(SIGKILL);
            } else if (strcmp(mode, "handoff_twofds") == 0) {
                int two[2] = { fd, fd };

                send_msg(tag, 8, two, 2);
            } else if (strcmp(mode, "handoff_nodesc") == 0) {
                send_msg(tag, 8, NULL, 0);
            } else if (strcmp(mode, "handoff_badtag") == 0) {
                send_msg(tag2, 8, &fd, 1);
            } else if (strcmp(mode, "handoff_long") == 0) {
                send_msg("123456789", 9, &fd, 1);
            } else if (strcmp(mode, "handoff_notreg") == 0) {
                int p[2];

                if (pipe(p) != 0)
                    die("pipe");
                send_msg(tag, 8, &p[0], 1);
            }                           /* handoff_nofd: no message at all */
            put_pkt('H', tag, 8);
        }
        close(fd);
        pause();
        exit(0);
    }
    record('F', "100644", 300000, 1, 1 | 4, 0, "/data/big1", 10, "");          /* 0 */
    hand_off(temp_file(300000, 13));
    send_text('D', "PHMB-1");
    record('F', "100644", 3, 1, 1 | 4, 0, "/data/small", 11, "");             /* 1 */
    send_text('D', "abc");
    put_pkt('F', NULL, 0);
    send_text('D', "PHMB-2");
    record('F', "100644", 1000, 1, 1 | 4, 0, "/data/grown", 11, "");          /* 2 */
    hand_off(temp_file(2000, 3));
    send_text('D', "PHMB-3");
    record('F', "100644", 200000, 1, 1 | 4, 0, "/data/stopearly", 15, "");    /* 3 */
    hand_off(temp_file(200000, 5));
    send_text('D', "PHMB-4");
    record('F', "100644", 100000, 1, 1 | 4, 0, "/data/noio", 10, "");         /* 4 */
    hand_off(temp_file(100000, 7));
    send_text('D', "PHMB-5");
    record('D', "40755", 4096, 2, 0, 0, "/data/", 6, "");                     /* 5 */
    put_pkt('F', NULL, 0);
}

static void backup(int with_data)
{
    unsigned d = with_data ? 1 : 0;
    static unsigned char big[200000];

    if (strncmp(mode, "handoff", 7) == 0 && with_data) {
        handoff_backup();
        return;
    }
    if (strcmp(mode, "oldend") == 0) {
        file_with_data("/data/a.txt", 1, with_data);
        put_pkt('F', NULL, 0);
        return;
    }
    if (strcmp(mode, "garbage") == 0) {
        write_all("Xgarbage", 8);
        pause();
        exit(0);
    }
    if (strcmp(mode, "die") == 0) {
        record('F', "100644", 11, 1, 1, 0, "/data/a.txt", 11, "");
        send_text('D', "hello ");
        raise(SIGKILL);
    }
    if (strcmp(mode, "slow") == 0) {
        record('F', "100644", 11, 1, 1, 0, "/data/a.txt", 11, "");
        sleep(30);
        exit(0);
    }
    if (strcmp(mode, "empty") == 0) {
        put_pkt('F', NULL, 0);
        return;
    }
    if (strcmp(mode, "accurate") == 0) {
        accurate_backup();
        return;
    }
    if (strcmp(mode, "filter") == 0) {
        filter_backup(with_data);
        return;
    }
    if (strcmp(mode, "accfilter") == 0) {
        accfilter_backup();
        return;
    }
    if (strcmp(mode, "changelog") == 0) {
        send_text('C', "KEEP /data");
        send_text('C', "GONE /data/old.txt");
        send_text('C', "GONE /data/olddir/");
        send_text('C', "KEEP /data/olddir/locked");
        send_text('C', "GONE /data/both");
        send_text('C', "KEEP /data/both");
        file_with_data("/data/new.txt", 1, with_data);
        put_pkt('F', NULL, 0);
        return;
    }
    if (strcmp(mode, "badgone") == 0) {
        send_text('C', "GONE data/x");
        pause();
        exit(0);
    }
    if (strcmp(mode, "stopafter") == 0) {
        record('F', "100644", 11, 1, 1, 0, "/data/a.txt", 11, "");
        raise(SIGSTOP);
        exit(0);
    }
    if (strcmp(mode, "sparse") == 0) {   /* flag 8: offset-prefixed D packets */
        static const unsigned char p1[] = { 0, 0, 0, 0, 0, 0, 0x10, 0, 'a', 'b', 'c' };
        static const unsigned char p2[] = { 0, 0, 0, 2, 0, 0, 0, 0, 'x', 'y', 'z', 'w' };

        record('F', "100644", 8589934596ULL, 1, 1 | 4 | 8, 0, "/data/sparse", 12, "");
        put_pkt('D', p1, sizeof p1);       /* "abc" at 4096 */
        put_pkt('D', p2, sizeof p2);       /* "xyzw" at 8 GiB */
        put_pkt('F', NULL, 0);
        send_text('D', "PHMB-blob");
        record('F', "100644", 3, 1, 1, 0, "/data/dense", 11, "");
        send_text('D', "d1");
        put_pkt('F', NULL, 0);
        record('D', "40755", 4096, 2, 0, 0, "/data/", 6, "");
        put_pkt('F', NULL, 0);
        return;
    }
    send_text('I', "walk started\n");
    record('F', "100644", 11, 2, d, 0, "/data/a.txt", 11, "");             /* 0 */
    if (d) {
        send_text('D', "hello ");
        send_text('D', "world");
        put_pkt('F', NULL, 0);
    }
    record('E', "100600", 0, 1, 0, 0, "/data/empty", 11, "");               /* 1 */
    record('S', "120777", 5, 1, 0, 0, "/data/link", 10, "a.txt");           /* 2 */
    record('L', "100644", 11, 2, 0, 0, "/data/hard", 10, "/data/a.txt");    /* 3 */
    record('F', "100644", sizeof big, 1, d, 0, "/data/big", 9, "");         /* 4 */
    if (d) {
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (unsigned char)(i * 7);
        put_pkt('D', big, 70000);
        send_text('W', "file /data/big changed while read");
        put_pkt('D', big + 70000, 70000);
        put_pkt('D', big + 140000, 60000);
        put_pkt('F', NULL, 0);
    }
    record('F', "100644", 3, 1, d ? 1 | 2 : 0, 0, "/data/new\nline", 14, ""); /* 5 */
    if (d) {
        send_text('D', "abc");
        put_pkt('F', NULL, 0);
        send_text('D', "acl-blob");
    }
    record('F', "100644", 5, 1, d, 0, "/data/unreadable", 16, "");         /* 6 */
    if (d) {
        send_text('D', "12");
        send_text('E', "cannot read /data/unreadable: Input/output error");
    }
    record('D', "40755", 4096, 3, 0, 0, "/data/", 6, "");                   /* 7 */
    put_pkt('F', NULL, 0);
}

static void restore(void)
{
    size_t n;

    for (;;) {
        char l = recv_pkt(&n);
        char *name;

        if (l == 'C' && strcmp((char *)buf, "FINISH") == 0) {
            put_pkt('F', NULL, 0);
            return;
        }
        if (l == 'C' && (strcmp((char *)buf, "XATTR") == 0 || strcmp((char *)buf, "ACL") == 0)) {
            if (recv_pkt(&n) != 'D')
                die("expected one D after XATTR/ACL");
            if (strncmp((char *)buf, "bad", 3) == 0)
                send_text('E', "bad metadata blob");
            else
                send_text('C', "OK");
            continue;
        }
        if (l != 'C' || strncmp((char *)buf, "FILE ", 5) != 0)
            die("expected FILE, XATTR, ACL or FINISH");
        name = strchr((char *)buf, '\n') + 1;
        if (strstr(name, "skip")) {
            send_text('C', "SKIP");
        } else if (strstr(name, "fail") && !strstr(name, "badclose")) {
            send_text('E', "cannot create file");
        } else if (buf[5] == 'D') {
            send_text('C', "DONE");
        } else {
            int closefail = strstr(name, "badclose") != NULL;

            send_text('C', "OK\n");         /* a trailing newline is allowed */
            while ((l = recv_pkt(&n)) == 'D' ||
                   (l == 'C' && strncmp((char *)buf, "SEEK ", 5) == 0))
                ;
            if (l != 'F')
                die("expected F after data");
            if (closefail)
                send_text('E', "close failed");
            else
                send_text('C', "OK");
        }
    }
}

/* "C FAILED <seq> <text>" */
static void failed(unsigned long long seq, const char *text)
{
    char p[1200];
    int n = snprintf(p, sizeof p, "FAILED %llu %s", seq, text);

    put_pkt('C', p, (size_t)n);
}

/* The pipelined restore (docs/ptcomm.md §5.1). */
static void restore_pipelined(void)
{
    unsigned long long seq = 0, cur = 0;
    int have = 0, closefail = 0;
    char text[1100];
    size_t n;

    for (;;) {
        char l = recv_pkt(&n);
        char *name;

        if (l == 'D' || (l == 'C' && strncmp((char *)buf, "SEEK ", 5) == 0))
            continue;
        if (l == 'F') {
            if (have && closefail)
                failed(cur, "close failed");
            closefail = 0;
            continue;
        }
        if (l == 'C' && strcmp((char *)buf, "FINISH") == 0) {
            put_pkt('F', NULL, 0);
            return;
        }
        if (l == 'C' && (strcmp((char *)buf, "XATTR") == 0 || strcmp((char *)buf, "ACL") == 0)) {
            if (recv_pkt(&n) != 'D')
                die("expected one D after XATTR/ACL");
            if (strncmp((char *)buf, "bad", 3) == 0)
                failed(cur, "bad metadata blob");
            continue;
        }
        if (l != 'C' || strncmp((char *)buf, "FILE ", 5) != 0)
            die("expected FILE, XATTR, ACL, F, D or FINISH");
        cur = seq++;
        have = 1;
        if (strcmp(mode, "diemid") == 0 && cur == 1)
            raise(SIGKILL);
        name = strchr((char *)buf, '\n') + 1;
        closefail = strstr(name, "badclose") != NULL;
        if (strstr(name, "flood")) {
            for (int i = 0; i < 10005; i++) {
                snprintf(text, sizeof text, "flood %d of \"%s\"", i, name);
                failed(cur, text);
            }
            continue;
        }
        if (strstr(name, "fail") && !closefail) {
            snprintf(text, sizeof text, "cannot create \"%s\"", name);
            failed(cur, text);
            closefail = 0;
            continue;
        }
        if (replace == 'a' && buf[5] != 'L')
            continue;                   /* the shim waits for a hard link's answer only */
        if (strstr(name, "skip"))
            send_text('C', "SKIP");
        else if (buf[5] == 'D' || buf[5] == 'L')
            send_text('C', "DONE");
        else
            send_text('C', "OK");
    }
}

/* Report open descriptors and signal state (test_backend checks them). */
static void envcheck(void)
{
    char line[512], out[1024] = "fds=";
    FILE *st;
    int first = 1;

    /* probe fds 0..1023 with fcntl, so no directory fd gets in the way */
    for (int fd = 0; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) != -1) {
            snprintf(out + strlen(out), sizeof out - strlen(out), "%s%d", first ? "" : ",", fd);
            first = 0;
        }
    }
    {
        int type = 0;
        socklen_t tl = sizeof type;

        if (getsockopt(4, SOL_SOCKET, SO_TYPE, &type, &tl) == 0)
            snprintf(out + strlen(out), sizeof out - strlen(out), " sock4=%s",
                     type == SOCK_SEQPACKET ? "seqpacket" : "other");
    }
    st = fopen("/proc/self/status", "r");
    while (st && fgets(line, sizeof line, st)) {
        if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0) {
            char *v = line + 7;

            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = '\0';
            snprintf(out + strlen(out), sizeof out - strlen(out), " %s=%s",
                     line[3] == 'B' ? "sigblk" : "sigign", v);
        }
    }
    if (st)
        fclose(st);
    strcat(out, "\n");
    write_all(out, strlen(out));
    exit(0);
}

static void statloop(void)
{
    const char *p = getenv("PHPC_FAKE_PATH");
    struct stat st;

    for (;;)
        stat(p ? p : "/", &st);
}

int main(int argc, char **argv)
{
    const char *m = getenv("PHPC_FAKE_MODE"), *lp = getenv("PHPC_FAKE_LOG");
    size_t n;
    char l;

    if (m && *m)
        mode = m;
    if (lp && *lp)
        logf = fopen(lp, "a");
    if (logf) {
        fprintf(logf, "EXEC %s\n", argc > 0 ? argv[0] : "(none)");
        fflush(logf);
    }
    if (strcmp(mode, "envcheck") == 0)
        envcheck();
    if (strcmp(mode, "statloop") == 0)
        statloop();
    if (strcmp(mode, "noterm") == 0)
        signal(SIGTERM, SIG_IGN);
    if (strcmp(mode, "hang") == 0 || strcmp(mode, "noterm") == 0) {
        for (;;)
            pause();
    }
    if (strcmp(mode, "stderr") == 0) {
        fprintf(stderr, "hello from stderr\x01\nsecond line without newline");
        fflush(stderr);
    }
    expect('C', "Hello podheitor-hpc 1");
    if (strcmp(mode, "exitearly") == 0)
        exit(3);
    send_text('C', strcmp(mode, "badhello") == 0 ? "Hello Nobody 1" : "Hello Bacula 1\n");
    block("Job");
    block("Params");
    l = recv_pkt(&n);
    if (l != 'C')
        die("expected a start command");
    if (strcmp(mode, "abort") == 0) {
        send_text('A', "path does not exist: /nonexistent");
        pause();
    }
    if (strcmp((char *)buf, "RestoreStart") == 0 && pipeline && strcmp(mode, "lockstep") != 0)
        send_text('C', "Pipeline 1");
    else
        pipeline = 0;
    put_pkt('F', NULL, 0);
    if (strcmp(mode, "fshang") == 0)
        statloop();
    if (strcmp((char *)buf, "BackupStart") == 0)
        backup(1);
    else if (strcmp((char *)buf, "EstimateStart") == 0)
        backup(0);
    else if (strcmp((char *)buf, "RestoreStart") == 0 && pipeline)
        restore_pipelined();
    else if (strcmp((char *)buf, "RestoreStart") == 0)
        restore();
    else
        die("unknown start command");
    if (end_status) {                   /* "END <status letter> <errors>" */
        char st, rest;
        unsigned long errs;

        if (recv_pkt(&n) != 'C' || sscanf((char *)buf, "END %c %lu%c", &st, &errs, &rest) != 2)
            die("expected END <status> <errors>");
    } else {
        expect('C', "END");             /* an older backend's bare END */
    }
    if (strcmp(mode, "dieonend") == 0)
        raise(SIGKILL);                 /* every file was sent, then the backend dies */
    put_pkt('F', NULL, 0);
    expect('T', NULL);
    return 0;
}
