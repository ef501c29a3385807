/* qm_wrapper.cpp -- the Queen Mary tempo/beat tracker and key detector (libqm-dsp) as a
 * command that prints JSON lines shaped like `mixq analyze`, for tests/bench/run.
 *
 * usage: qm-wrapper FILE...
 *
 * Each file is decoded whole with libsndfile and mixed down to mono (the mean of the
 * channels, as a Vamp host does for a one-channel plugin), then run through the two
 * analyses the way the qm-vamp-plugins do it at their default parameters:
 *
 * - beats and tempo (BeatTrack.cpp, method "New", qm-tempotracker): a DetectionFunction of
 *   type DF_COMPLEXSD, no adaptive whitening, step round(rate * 0.01161) samples (512 at
 *   44.1 kHz), frames of two steps, Hann-windowed; trailing zero values of the detection
 *   function are dropped and so are its first two; TempoTrackV2::calculateBeatPeriod with
 *   input tempo 120 and no constraint, then calculateBeats with alpha 0.9, tightness 4. A
 *   beat at detection-function index i is reported at (i * step + step) / rate seconds, as
 *   the plugin does behind a Vamp host (whose timestamps are shifted by half a frame).
 *   tempo_bpm is the median of the per-frame tempo track (the plugin's "tempo" output,
 *   weighted by how long each value lasts);
 * - key (KeyDetect.cpp, qm-keydetector): GetKeyMode at tuning 440 Hz with 10-frame chroma
 *   averaging and median filter, fed its own block and hop size; the key printed is the one
 *   the detector reports for the most blocks. Keys 1..12 are C..B major, 13..24 C..B minor.
 *
 * A file that cannot be read gets {"path": ..., "error": {"code", "message"}}. Timings are
 * not printed: the bench measures the process's CPU time from outside. */
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dsp/keydetection/GetKeyMode.h"
#include "dsp/onsets/DetectionFunction.h"
#include "dsp/tempotracking/TempoTrackV2.h"

namespace {

/* Appends s to out as a JSON string; invalid UTF-8 bytes become U+0080..U+00FF. */
void json_string(std::string &out, const char *s) {
    out += '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            out += '\\';
            out += (char)c;
        } else if (c < 0x20) {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else if (c < 0x80) {
            out += (char)c;
        } else {
            int n = c >= 0xF0 && c < 0xF5 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 && c < 0xE0 ? 1 : -1;
            bool ok = n > 0;
            for (int k = 1; ok && k <= n; k++) ok = (p[k] & 0xC0) == 0x80;
            if (ok) {
                out.append((const char *)p, n + 1);
                p += n;
            } else {
                out += (char)(0xC0 | (c >> 6));
                out += (char)(0x80 | (c & 0x3F));
            }
        }
    }
    out += '"';
}

void print_error(const char *path, const char *code, const char *msg) {
    std::string o = "{\"path\":";
    json_string(o, path);
    o += ",\"error\":{\"code\":";
    json_string(o, code);
    o += ",\"message\":";
    json_string(o, msg);
    o += "}}\n";
    fputs(o.c_str(), stdout);
}

/* Decodes path into mono samples. Returns false (and prints the error line) on failure. */
bool decode_mono(const char *path, std::vector<double> &mono, int &rate) {
    SF_INFO si;
    memset(&si, 0, sizeof si);
    SNDFILE *sf = sf_open(path, SFM_READ, &si);
    if (!sf) {
        print_error(path, "decode_error", sf_strerror(NULL));
        return false;
    }
    rate = si.samplerate;
    const int ch = si.channels;
    const sf_count_t block = 4096;
    std::vector<float> buf((size_t)block * ch);
    mono.clear();
    sf_count_t n;
    while ((n = sf_readf_float(sf, buf.data(), block)) > 0) {
        for (sf_count_t i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < ch; c++) s += buf[(size_t)(i * ch + c)];
            mono.push_back(s / ch);
        }
    }
    sf_close(sf);
    if (mono.empty() || rate <= 0) {
        print_error(path, "empty_audio", "no samples decoded");
        return false;
    }
    return true;
}

/* Beats (seconds) and tempo (BPM, NAN if none) as qm-tempotracker computes them. */
void track_beats(const std::vector<double> &x, int rate, std::vector<double> &beat_s, double &bpm) {
    const size_t step = (size_t)(rate * 0.01161f + 0.0001);
    const size_t len = 2 * step;
    DFConfig cfg;
    cfg.stepSize = (unsigned)step;
    cfg.frameLength = (unsigned)len;
    cfg.DFType = DF_COMPLEXSD;
    cfg.dbRise = 3;
    cfg.adaptiveWhitening = false;
    cfg.whiteningRelaxCoeff = -1;
    cfg.whiteningFloor = -1;
    DetectionFunction det(cfg);

    std::vector<double> frame(len), dfo;
    for (size_t start = 0; start < x.size(); start += step) {
        size_t n = std::min(len, x.size() - start);
        std::copy(x.begin() + start, x.begin() + start + n, frame.begin());
        std::fill(frame.begin() + n, frame.end(), 0.0);
        dfo.push_back(det.processTimeDomain(frame.data()));
    }

    size_t nonzero = dfo.size();
    while (nonzero > 0 && !(dfo[nonzero - 1] > 0.0)) nonzero--;
    std::vector<double> df, period, tempi, beats;
    for (size_t i = 2; i < nonzero; i++) {
        df.push_back(dfo[i]);
        period.push_back(0.0);
    }
    beat_s.clear();
    bpm = NAN;
    if (df.empty()) return;

    TempoTrackV2 tt((float)rate, step);
    tt.calculateBeatPeriod(df, period, tempi, 120.0, false);
    tt.calculateBeats(df, period, beats, 0.9, 4.0);
    for (double b : beats) beat_s.push_back((b * step + step) / rate);

    std::vector<double> valid;
    for (double t : tempi)
        if (t > 1) valid.push_back(t);
    if (!valid.empty()) {
        std::nth_element(valid.begin(), valid.begin() + valid.size() / 2, valid.end());
        bpm = valid[valid.size() / 2];
    }
}

/* The key (1..24, 0 if none) that qm-keydetector reports for the most blocks. */
int detect_key(const std::vector<double> &x, int rate) {
    GetKeyMode gkm(int(rate + 0.1), 440.f, 10, 10);
    const size_t block = gkm.getBlockSize(), hop = gkm.getHopSize();
    std::vector<double> frame(block);
    int count[25] = {0};
    for (size_t start = 0; start < x.size(); start += hop) {
        size_t n = std::min(block, x.size() - start);
        std::copy(x.begin() + start, x.begin() + start + n, frame.begin());
        std::fill(frame.begin() + n, frame.end(), 0.0);
        int k = gkm.process(frame.data());
        if (k >= 1 && k <= 24) count[k]++;
    }
    int best = 0;
    for (int k = 1; k <= 24; k++)
        if (count[k] > count[best]) best = k;
    return best;
}

}  // namespace

int main(int argc, char **argv) {
    static const char *names[] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};
    if (argc < 2) {
        fputs("usage: qm-wrapper FILE...\n", stderr);
        return 2;
    }
    int status = 0;
    std::vector<double> mono, beats;
    for (int i = 1; i < argc; i++) {
        int rate = 0;
        if (!decode_mono(argv[i], mono, rate)) {
            status = 1;
            continue;
        }
        double bpm;
        track_beats(mono, rate, beats, bpm);
        int key = detect_key(mono, rate);

        std::string o = "{\"path\":";
        json_string(o, argv[i]);
        char b[64];
        snprintf(b, sizeof b, ",\"duration_s\":%.3f,\"sample_rate\":%d", (double)mono.size() / rate, rate);
        o += b;
        if (std::isnan(bpm)) {
            o += ",\"tempo_bpm\":null";
        } else {
            snprintf(b, sizeof b, ",\"tempo_bpm\":%.3f", bpm);
            o += b;
        }
        o += ",\"beats\":[";
        for (size_t k = 0; k < beats.size(); k++) {
            snprintf(b, sizeof b, "%s%.4f", k ? "," : "", beats[k]);
            o += b;
        }
        o += "],\"key\":";
        if (key >= 1) {
            std::string name = std::string(names[(key - 1) % 12]) + (key > 12 ? " minor" : " major");
            json_string(o, name.c_str());
        } else {
            o += "null";
        }
        snprintf(b, sizeof b, ",\"qm_key_index\":%d}\n", key);
        o += b;
        fputs(o.c_str(), stdout);
        fflush(stdout);
    }
    return status;
}
