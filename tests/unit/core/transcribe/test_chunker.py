"""Chunking live audio at VAD pauses: joined chunk text must match whole-buffer text."""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest

from tests.unit.core.transcribe.conftest import SENTENCES, read_wav, words
from trayassist.core.transcribe.chunker import (
    RATE,
    WINDOW,
    Chunk,
    Chunker,
    ChunkerOptions,
    StreamingVad,
)

pytestmark = [pytest.mark.unit, pytest.mark.model]


def feed_all(ch: Chunker, audio: np.ndarray, block: int = 560) -> None:
    for i in range(0, len(audio), block):  # ~35 ms blocks, like the PortAudio callback
        ch.feed(audio[i:i + block])


def test_streaming_vad_matches_the_batch_model(monologue_wav: Path) -> None:
    from faster_whisper.vad import get_vad_model

    audio = read_wav(monologue_wav)
    n = len(audio) // WINDOW * WINDOW
    model = get_vad_model()
    batch = np.asarray(model(audio[:n])).reshape(-1)
    vad = StreamingVad(model.session)
    streamed = np.concatenate([vad.feed(audio[i:i + 700]) for i in range(0, n, 700)])
    assert len(streamed) == n // WINDOW
    assert np.allclose(streamed, batch[: len(streamed)], atol=1e-4)


def test_chunks_close_at_pauses_and_only_inside_silence(monologue_wav: Path) -> None:
    audio = read_wav(monologue_wav)
    chunks: list[Chunk] = []
    ch = Chunker(StreamingVad(), chunks.append)
    feed_all(ch, audio)
    last = ch.flush()
    if last is not None:
        chunks.append(last)
    # Each sentence is ~2.6-3.8 s followed by 0.7 s of silence: one chunk per sentence.
    assert len(chunks) == len(SENTENCES)
    for c in chunks:
        edge = int(0.05 * RATE)
        # Trimmed edges are quiet (padding), never inside a word.
        assert np.sqrt(np.mean(c.audio[:edge] ** 2)) < 0.01
        assert np.sqrt(np.mean(c.audio[-edge:] ** 2)) < 0.01


def test_joined_chunk_text_is_as_good_as_whole_buffer(monologue_wav: Path, engine) -> None:
    audio = read_wav(monologue_wav)
    whole = engine.transcribe(audio).result(120).text
    futures = []

    def prompt() -> str | None:
        done = [f.result().text for f in futures if f.done()]
        return done[-1] if done else None

    ch = Chunker(StreamingVad(), lambda c: futures.append(engine.transcribe(c.audio, prompt)))
    feed_all(ch, audio)
    last = ch.flush()
    if last is not None:
        futures.append(engine.transcribe(last.audio, prompt))
    chunked = " ".join(f.result(120).text for f in futures)
    expected = words(" ".join(SENTENCES))
    print(f"\nwhole:   {whole}\nchunked: {chunked}")
    sim_whole = SequenceMatcher(None, expected, words(whole)).ratio()
    sim_chunked = SequenceMatcher(None, expected, words(chunked)).ratio()
    print(f"similarity to the script: whole {sim_whole:.3f}, chunked {sim_chunked:.3f}")
    assert sim_chunked >= sim_whole - 0.05
    # No words lost or doubled at chunk edges: the first and last word of each sentence
    # appear as often in the chunked text as in the whole-buffer text (numbers are written
    # as digits by Whisper, so compare with its own output; the whole-buffer run itself
    # sometimes drops a sentence's first word, so the script's count is also right).
    got, ref, script = words(chunked), words(whole), words(" ".join(SENTENCES))
    checked = 0
    for s in SENTENCES:
        w = words(s)
        for edge_word in (w[0], w[-1]):
            if edge_word in ref:
                checked += 1
                assert got.count(edge_word) in (ref.count(edge_word), script.count(edge_word)), edge_word
    assert checked >= len(SENTENCES)


def test_silence_gives_no_chunks() -> None:
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(RATE * 5) * 0.002).astype(np.float32)  # faint hiss
    chunks: list[Chunk] = []
    ch = Chunker(StreamingVad(), chunks.append)
    feed_all(ch, audio)
    assert ch.flush() is None
    assert chunks == []
    assert ch.speech_s == 0.0


def test_long_speech_without_pauses_is_cut_at_the_quietest_point(speech_parts: list[Path]) -> None:
    # Sentences glued with only 0.1 s gaps: no pause long enough, so the max length forces cuts.
    gap = np.zeros(int(0.1 * RATE), dtype=np.float32)
    audio = np.concatenate([x for p in speech_parts for x in (read_wav(p), gap)])
    chunks: list[Chunk] = []
    opts = ChunkerOptions(max_chunk_s=8.0)
    ch = Chunker(StreamingVad(), chunks.append, opts)
    feed_all(ch, audio)
    assert chunks, "a forced cut was expected"
    for c in chunks:
        assert len(c.audio) / RATE <= opts.max_chunk_s + 0.01
        tail = c.audio[-int(0.016 * RATE):]
        # The cut lands in a gap between words, not in the middle of a loud vowel.
        assert np.sqrt(np.mean(tail ** 2)) < 0.05


def test_a_short_phrase_then_a_pause_is_offered_for_speculation(speech_parts: list[Path]) -> None:
    audio = np.concatenate([read_wav(speech_parts[1])[: int(1.5 * RATE)],
                            np.zeros(RATE, dtype=np.float32)])
    offered: list[Chunk] = []
    closed: list[Chunk] = []
    ch = Chunker(StreamingVad(), closed.append, ChunkerOptions(min_chunk_s=3.0),
                 on_pause=offered.append)
    key_before = ch.pending_key
    feed_all(ch, audio)
    assert closed == [] and len(offered) == 1
    final = ch.flush()
    assert final is not None and ch.pending_key != key_before
    assert np.array_equal(final.audio, offered[0].audio)
