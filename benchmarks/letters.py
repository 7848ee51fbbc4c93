"""A notMNIST-style data set: the letters A–J rendered from the fonts on this machine.

Each font draws each letter once, cropped to its ink and scaled to fit a 24-pixel box;
every sample then gets its own random scale (±10 %) and shift (±2 pixels) on a 28×28
black canvas, white ink, like notMNIST. Fonts that cannot draw the letters (symbol
fonts, missing glyphs) are skipped. Train and test sets use disjoint fonts, so a test
image is never a shifted copy of a training one.

More fonts: `sh benchmarks/setup_fonts.sh` (Debian `fonts-*` packages). Without them the
DejaVu fonts bundled with matplotlib suffice for tests.

    python benchmarks/letters.py --per-class 2000 --output /tmp/letters   # PNG folders
    python benchmarks/letters.py --per-class 1000 --npz /tmp/letters.npz  # arrays, font split

The arrays are generated, never committed.
"""

import argparse
import glob
import os

import numpy as np

LETTERS = "ABCDEFGHIJ"
SIZE = 28
FONT_DIRS = ("/usr/share/fonts",)


def font_files():
    """Returns the sorted TrueType/OpenType files of the system and of matplotlib."""
    import matplotlib

    roots = list(FONT_DIRS) + [os.path.join(matplotlib.get_data_path(), "fonts", "ttf")]
    found = set()
    for root in roots:
        for ext in ("ttf", "otf", "TTF", "OTF"):
            found.update(glob.glob(os.path.join(root, "**", f"*.{ext}"), recursive=True))
    # One file per font name: matplotlib ships copies of the DejaVu fonts.
    by_name = {}
    for path in sorted(found):
        by_name.setdefault(os.path.basename(path).lower(), path)
    return sorted(by_name.values())


def _glyph(font_path, letter):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path, 64)
    canvas = Image.new("L", (128, 128), 0)
    ImageDraw.Draw(canvas).text((24, 16), letter, fill=255, font=font)
    ink = np.asarray(canvas)
    rows, cols = np.flatnonzero(ink.max(axis=1) > 32), np.flatnonzero(ink.max(axis=0) > 32)
    if len(rows) < 8 or len(cols) < 4:
        return None
    return canvas.crop((cols[0], rows[0], cols[-1] + 1, rows[-1] + 1))


def glyphs(fonts):
    """Returns `{font: [glyph image per letter]}` for the fonts that draw A–J distinctly."""
    usable = {}
    for path in fonts:
        try:
            images = [_glyph(path, letter) for letter in LETTERS]
        except (OSError, ValueError):
            continue
        if any(image is None for image in images):
            continue
        arrays = [np.asarray(image.resize((16, 16))) for image in images]
        # Missing glyphs render as one identical box ("tofu") for every letter.
        if any(np.array_equal(arrays[0], other) for other in arrays[1:]):
            continue
        usable[path] = images
    return usable


def _place(glyph, rng):
    from PIL import Image

    scale = 24 / max(glyph.size) * rng.uniform(0.9, 1.1)
    width = max(1, min(SIZE, int(round(glyph.size[0] * scale))))
    height = max(1, min(SIZE, int(round(glyph.size[1] * scale))))
    small = glyph.resize((width, height), Image.BILINEAR)
    canvas = Image.new("L", (SIZE, SIZE), 0)
    left = (SIZE - width) // 2 + int(rng.integers(-2, 3))
    top = (SIZE - height) // 2 + int(rng.integers(-2, 3))
    canvas.paste(small, (min(max(left, 0), SIZE - width), min(max(top, 0), SIZE - height)))
    return np.asarray(canvas)


def render(per_class, fonts=None, seed=0):
    """Renders `per_class` images of each letter A–J, cycling through the fonts.

    Args:
        per_class: int, images per letter.
        fonts: optional list of font files (default: `font_files()`).
        seed: int, for the scales and shifts.

    Returns:
        `(x, y)`: uint8 images `(10 · per_class, 28, 28, 1)` and int32 labels 0–9 (A–J).

    Raises:
        ValueError: no usable font.
    """
    table = glyphs(font_files() if fonts is None else fonts)
    if not table:
        raise ValueError(f"Argument `fonts` must include a font that draws {LETTERS}. "
                         f"Received: fonts={fonts!r}")
    rng = np.random.default_rng(seed)
    paths = sorted(table)
    x = np.empty((per_class * len(LETTERS), SIZE, SIZE, 1), np.uint8)
    y = np.repeat(np.arange(len(LETTERS), dtype=np.int32), per_class)
    for index, label in enumerate(y):
        font = paths[(index % per_class) % len(paths)]
        x[index, ..., 0] = _place(table[font][label], rng)
    order = rng.permutation(len(y))
    return x[order], y[order]


def split_fonts(fonts, test_fraction=0.25, seed=0):
    """Splits font files into disjoint `(train_fonts, test_fonts)`, seeded."""
    fonts = sorted(fonts)
    order = np.random.default_rng(seed).permutation(len(fonts))
    cut = max(1, int(round(len(fonts) * test_fraction)))
    return [fonts[i] for i in order[cut:]], [fonts[i] for i in order[:cut]]


def write_folder(x, y, folder):
    """Writes images as `folder/<letter>/<index>.png` (one sub-folder per class)."""
    from PIL import Image

    for letter in LETTERS:
        os.makedirs(os.path.join(folder, letter), exist_ok=True)
    for index, (image, label) in enumerate(zip(x, y)):
        Image.fromarray(image[..., 0]).save(os.path.join(folder, LETTERS[label], f"{index}.png"))


def train_test(per_class, test_per_class, seed=0):
    """Returns `((x_train, y_train), (x_test, y_test), fonts)`: disjoint fonts, as in the benchmark."""
    train_fonts, test_fonts = split_fonts(list(glyphs(font_files())), seed=seed)
    return (render(per_class, train_fonts, seed=seed), render(test_per_class, test_fonts, seed=seed + 1),
            {"train_fonts": len(train_fonts), "test_fonts": len(test_fonts)})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-class", type=int, default=2000)
    parser.add_argument("--test-per-class", type=int, default=200)
    parser.add_argument("--output", help="folder to write PNGs into")
    parser.add_argument("--npz", help="file to write train/test arrays into (fonts split)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.npz:
        (x, y), (x_test, y_test), fonts = train_test(args.per_class, args.test_per_class, args.seed)
        np.savez_compressed(args.npz, x_train=x, y_train=y, x_test=x_test, y_test=y_test,
                            **{k: np.asarray(v) for k, v in fonts.items()})
        print(f"Wrote {len(x)} + {len(x_test)} images ({fonts}) to {args.npz}")
    if args.output:
        x, y = render(args.per_class, seed=args.seed)
        write_folder(x, y, args.output)
        print(f"Wrote {len(x)} images from {len(glyphs(font_files()))} fonts to {args.output}")


if __name__ == "__main__":
    main()
