/**
 * Picture faults of one camera from its keyframe thumbnails (64x36 luma, about one a second):
 * black, covered, frozen, moved, defocused. Deterministic and free of I/O: the caller feeds
 * (thumbnail, time) pairs and gets the faults active after each one.
 *
 * The first `referenceKeyframes` usable thumbnails (not black or covered) are the learning window:
 * they give the reference still (per-pixel mean), the normal difference to it, the reference
 * sharpness and the noise floor of keyframe-to-keyframe differences. The frozen threshold is
 * calibrated on that floor, so a camera on a static scene (whose pictures differ only by sensor
 * noise) is not called frozen, while a picture that repeats bit for bit (or nearly) is.
 *
 * The learned reference can be exported and restored (the SFU keeps it across restarts, so a camera
 * moved while the SFU was down is still judged against the scene it used to show), and dropped to
 * learn again (an operator accepts a camera's new view).
 */
import type { HealthConfig } from '@wardwall/common';
import type { GrayImage } from '../ingest/pgm.js';
import { boxBlur, pictureDifference, pictureMetrics, type PictureMetrics } from './picture-metrics.js';

export const PICTURE_FAULTS = ['black', 'covered', 'frozen', 'moved', 'defocused'] as const;
export type PictureFault = (typeof PICTURE_FAULTS)[number];

export type PictureThresholds = Pick<
  HealthConfig,
  | 'blackMeanMax'
  | 'blackStdMax'
  | 'coveredStdMax'
  | 'pictureKeyframes'
  | 'referenceKeyframes'
  | 'frozenMaxDiff'
  | 'frozenMinDiff'
  | 'frozenNoiseRatio'
  | 'frozenAfterMs'
  | 'frozenMinKeyframes'
  | 'movedMinDiff'
  | 'movedNoiseRatio'
  | 'defocusRatio'
>;

export interface PictureVerdict {
  faults: PictureFault[];
  /** Measures of this thumbnail (rounded), kept as an alert's detail. */
  measures: Record<string, number>;
}

/** What is learned of a camera's normal picture: enough to restore the detector without learning again. */
export interface PictureReference {
  width: number;
  height: number;
  /** The reference still: per-pixel mean luma of the learning keyframes, row by row (width × height bytes). */
  luma: Uint8Array;
  /** Median difference of the learning pictures to the reference. */
  normalDiff: number;
  /** Median sharpness of the learning pictures. */
  sharpness: number;
  /** 25th percentile of keyframe-to-keyframe differences while learning. */
  noiseFloor: number;
}

/** The faults judged against the reference: they end when the reference is dropped. */
export const REFERENCE_FAULTS: readonly PictureFault[] = ['frozen', 'moved', 'defocused'];

interface Reference {
  image: GrayImage;
  /** The reference through a 5x5 box blur: a defocused camera looks like this, a moved one does not. */
  blurred: GrayImage;
  /** Median difference of the learning pictures to the reference. */
  normalDiff: number;
  sharpness: number;
  /** 25th percentile of keyframe-to-keyframe differences while learning. */
  noiseFloor: number;
}

export class PictureDetector {
  private prev: GrayImage | null = null;
  private prevAt = 0;
  private unchangedSince: number | null = null;
  private unchangedCount = 0;
  private readonly learning: { image: GrayImage; sharpness: number; diffPrev: number | null }[] = [];
  private ref: Reference | null = null;
  private readonly streak = { black: 0, covered: 0, moved: 0, defocused: 0 };

  constructor(private readonly cfg: PictureThresholds) {}

  /** Whether the reference still is learned (moved/defocused/frozen need it; black/covered do not). */
  get learned(): boolean {
    return this.ref !== null;
  }

  /** The frozen threshold in use (before learning: frozenMaxDiff). */
  get frozenThreshold(): number {
    const { frozenMinDiff, frozenMaxDiff, frozenNoiseRatio } = this.cfg;
    if (!this.ref) return frozenMaxDiff;
    return Math.min(frozenMaxDiff, Math.max(frozenMinDiff, this.ref.noiseFloor * frozenNoiseRatio));
  }

  /** A copy of the learned reference, or null while learning. */
  exportReference(): PictureReference | null {
    const r = this.ref;
    if (!r) return null;
    return { width: r.image.width, height: r.image.height, luma: new Uint8Array(r.image.data), normalDiff: r.normalDiff, sharpness: r.sharpness, noiseFloor: r.noiseFloor };
  }

  /**
   * Uses a reference learned earlier instead of learning one (any learning in progress is dropped).
   * Returns false, changing nothing, for a reference that is not a whole picture or has absurd measures.
   */
  restoreReference(saved: PictureReference): boolean {
    const { width, height, luma, normalDiff, sharpness, noiseFloor } = saved;
    const whole = Number.isInteger(width) && Number.isInteger(height) && width > 2 && height > 2 && luma.length === width * height;
    if (!whole || ![normalDiff, sharpness, noiseFloor].every((v) => Number.isFinite(v) && v >= 0 && v <= 255 * 4)) return false;
    const image = { width, height, data: new Uint8Array(luma) };
    this.ref = { image, blurred: boxBlur(image, 2), normalDiff, sharpness, noiseFloor };
    this.learning.length = 0;
    this.resetReferenceJudgement();
    return true;
  }

  /**
   * Drops the reference and learns again from the next usable keyframes: the faults judged against
   * it (frozen, moved, defocused) end at once; black and covered, which need no reference, go on.
   */
  relearn(): void {
    this.ref = null;
    this.learning.length = 0;
    this.resetReferenceJudgement();
  }

  private resetReferenceJudgement(): void {
    this.unchangedSince = null;
    this.unchangedCount = 0;
    this.streak.moved = 0;
    this.streak.defocused = 0;
  }

  push(image: GrayImage, at: number): PictureVerdict {
    const c = this.cfg;
    // A reference of another size (the thumbnail size changed since it was saved) cannot be compared: learn again.
    if (this.ref && (this.ref.image.width !== image.width || this.ref.image.height !== image.height)) this.relearn();
    const m = pictureMetrics(image);
    const diffPrev = this.prev ? pictureDifference(image, this.prev) : null;
    const prevAt = this.prevAt;
    this.prev = copy(image);
    this.prevAt = at;

    // Black is dark *and* featureless: a dark picture with detail (white lines on black, lights at night) is a picture.
    const black = m.mean < c.blackMeanMax && m.std < c.blackStdMax;
    const covered = !black && m.std < c.coveredStdMax;
    this.streak.black = black ? this.streak.black + 1 : 0;
    this.streak.covered = covered ? this.streak.covered + 1 : 0;
    const measures: Record<string, number> = { mean: round(m.mean), std: round(m.std), sharpness: round(m.sharpness) };
    if (diffPrev !== null) measures.change = round(diffPrev, 2);

    const faults: PictureFault[] = [];
    if (this.streak.black >= c.pictureKeyframes) faults.push('black');
    if (this.streak.covered >= c.pictureKeyframes) faults.push('covered');
    if (black || covered) {
      // A uniform picture tells nothing about motion, position or focus.
      this.resetReferenceJudgement();
      return { faults, measures };
    }

    if (!this.ref) {
      this.learn(image, m, diffPrev);
      return { faults, measures };
    }

    // Frozen: consecutive keyframes that differ no more than the calibrated noise threshold.
    if (diffPrev !== null && diffPrev <= this.frozenThreshold) {
      this.unchangedCount++;
      this.unchangedSince ??= prevAt; // the picture has not changed since the previous keyframe
    } else {
      this.unchangedCount = 0;
      this.unchangedSince = null;
    }
    // n unchanged differences are n + 1 identical keyframes.
    if (this.unchangedSince !== null && this.unchangedCount + 1 >= c.frozenMinKeyframes && at - this.unchangedSince >= c.frozenAfterMs) faults.push('frozen');

    const diffRef = pictureDifference(image, this.ref.image);
    measures.referenceDiff = round(diffRef);
    const movedThreshold = Math.max(c.movedMinDiff, this.ref.normalDiff * c.movedNoiseRatio);
    // Sharpness collapsed and the picture still matches the blurred reference: defocused, not moved.
    const defocused = m.sharpness < this.ref.sharpness * c.defocusRatio && pictureDifference(image, this.ref.blurred) <= movedThreshold;
    const moved = !defocused && diffRef > movedThreshold;
    this.streak.moved = moved ? this.streak.moved + 1 : 0;
    this.streak.defocused = defocused ? this.streak.defocused + 1 : 0;
    if (this.streak.moved >= c.pictureKeyframes) faults.push('moved');
    if (this.streak.defocused >= c.pictureKeyframes) faults.push('defocused');
    return { faults, measures };
  }

  private learn(image: GrayImage, m: PictureMetrics, diffPrev: number | null): void {
    this.learning.push({ image: copy(image), sharpness: m.sharpness, diffPrev });
    if (this.learning.length < this.cfg.referenceKeyframes) return;
    const { width, height } = image;
    const sum = new Float64Array(width * height);
    const usable = this.learning.filter((l) => l.image.width === width && l.image.height === height);
    for (const l of usable) for (let i = 0; i < sum.length; i++) sum[i]! += l.image.data[i]!;
    const mean = new Uint8Array(sum.length);
    for (let i = 0; i < sum.length; i++) mean[i] = Math.round(sum[i]! / usable.length);
    const refImage = { width, height, data: mean };
    const diffs = usable.slice(1).map((l) => l.diffPrev).filter((d): d is number => d !== null);
    this.ref = {
      image: refImage,
      blurred: boxBlur(refImage, 2),
      normalDiff: quantile(usable.map((l) => pictureDifference(l.image, refImage)), 0.5),
      sharpness: quantile(usable.map((l) => l.sharpness), 0.5),
      noiseFloor: diffs.length ? quantile(diffs, 0.25) : this.cfg.frozenMaxDiff / Math.max(this.cfg.frozenNoiseRatio, 1e-9),
    };
    this.learning.length = 0;
  }
}

function copy(img: GrayImage): GrayImage {
  return { width: img.width, height: img.height, data: new Uint8Array(img.data) };
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))]!;
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
