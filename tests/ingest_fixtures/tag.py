#!/usr/bin/env python3
"""tag.py -- writes tags into audio fixtures for the ingest tests (stdlib only).

    tag.py FILE KEY=VALUE...

KEY is one of title, artist, album, albumartist, genre, date, tracknumber, isrc, bpm, key.
FLAC gets a Vorbis comment block (replacing any), MP3 an ID3v2.4 tag in front (replacing
any), WAV an "id3 " chunk (RIFF sizes fixed up). The audio itself is untouched.
"""
import struct
import sys

ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "albumartist": "TPE2",
              "genre": "TCON", "date": "TDRC", "tracknumber": "TRCK", "isrc": "TSRC",
              "bpm": "TBPM", "key": "TKEY"}
VORBIS = {"title": "TITLE", "artist": "ARTIST", "album": "ALBUM", "albumartist": "ALBUMARTIST",
          "genre": "GENRE", "date": "DATE", "tracknumber": "TRACKNUMBER", "isrc": "ISRC",
          "bpm": "BPM", "key": "INITIALKEY"}


def syncsafe(n):
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3v24(tags):
    frames = b""
    for k, v in tags.items():
        data = b"\x03" + v.encode("utf-8")  # UTF-8
        frames += ID3_FRAMES[k].encode() + syncsafe(len(data)) + b"\x00\x00" + data
    return b"ID3\x04\x00\x00" + syncsafe(len(frames)) + frames


def strip_id3(b):
    if b[:3] == b"ID3":
        size = 10 + ((b[6] & 0x7F) << 21 | (b[7] & 0x7F) << 14 | (b[8] & 0x7F) << 7 | (b[9] & 0x7F))
        if b[5] & 0x10:
            size += 10
        return b[size:]
    return b


def tag_flac(b, tags):
    assert b[:4] == b"fLaC", "not FLAC"
    pos, blocks = 4, []
    while True:
        hdr = b[pos]
        last, typ = hdr & 0x80, hdr & 0x7F
        ln = int.from_bytes(b[pos + 1:pos + 4], "big")
        if typ != 4:
            blocks.append((typ, b[pos + 4:pos + 4 + ln]))
        pos += 4 + ln
        if last:
            break
    vendor = b"mixq-test"
    body = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(tags))
    for k, v in tags.items():
        e = (VORBIS[k] + "=" + v).encode("utf-8")
        body += struct.pack("<I", len(e)) + e
    blocks.insert(1, (4, body))
    out = b"fLaC"
    for i, (typ, data) in enumerate(blocks):
        flag = 0x80 if i == len(blocks) - 1 else 0
        out += bytes([flag | typ]) + len(data).to_bytes(3, "big") + data
    return out + b[pos:]


def tag_wav(b, tags):
    assert b[:4] == b"RIFF" and b[8:12] == b"WAVE", "not WAV"
    pos, chunks = 12, []
    while pos + 8 <= len(b):
        cid, ln = b[pos:pos + 4], struct.unpack("<I", b[pos + 4:pos + 8])[0]
        if cid not in (b"id3 ", b"ID3 "):
            chunks.append(b[pos:pos + 8 + ln + (ln & 1)])
        pos += 8 + ln + (ln & 1)
    tag = id3v24(tags)
    if len(tag) & 1:
        tag += b"\x00"
    chunks.append(b"id3 " + struct.pack("<I", len(tag)) + tag)
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def main():
    path, pairs = sys.argv[1], sys.argv[2:]
    tags = {}
    for p in pairs:
        k, _, v = p.partition("=")
        if k not in ID3_FRAMES:
            sys.exit(f"tag.py: unknown key {k}")
        tags[k] = v
    b = open(path, "rb").read()
    if b[:4] == b"fLaC":
        b = tag_flac(b, tags)
    elif b[:4] == b"RIFF":
        b = tag_wav(b, tags)
    else:  # MP3
        b = id3v24(tags) + strip_id3(b)
    open(path, "wb").write(b)


if __name__ == "__main__":
    main()
