"""Draw the two example clinics' logos (run once; the PNGs are committed)."""

from pathlib import Path

from PIL import Image, ImageDraw

CLINICS = Path(__file__).resolve().parent.parent / "clinics"


def riverside() -> Image.Image:
    """A blue circle with three white river waves."""
    image = Image.new("RGBA", (480, 480), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 472, 472), fill=(31, 90, 150, 255))
    for row, y in enumerate((170, 245, 320)):
        points = []
        for x in range(70, 411, 4):
            import math

            points.append((x, y + 22 * math.sin((x - 70) / 340 * 2 * math.pi + row)))
        draw.line(points, fill=(255, 255, 255, 255), width=26, joint="curve")
    return image


def lakeside() -> Image.Image:
    """A rounded square in plum with a white sun over a green lake line."""
    image = Image.new("RGBA", (480, 480), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 472, 472), radius=90, fill=(92, 45, 134, 255))
    draw.ellipse((150, 90, 330, 270), fill=(255, 255, 255, 255))
    draw.rectangle((60, 300, 420, 330), fill=(214, 236, 226, 255))
    draw.rectangle((110, 360, 370, 385), fill=(214, 236, 226, 255))
    return image


if __name__ == "__main__":
    riverside().save(CLINICS / "riverside-logo.png", optimize=True)
    lakeside().save(CLINICS / "lakeside-logo.png", optimize=True)
