//! A bar chart as a small PNG, for mail: clients show an inline image
//! (`cid:`) where they block SVG and drop scripts and styles. Each value is
//! a bar; the last one, the bucket now, is drawn in the accent colour.

/// Pixels of the gap after each bar, and of the chart's height.
const GAP: u32 = 2;
const HEIGHT: u32 = 40;

const BACKGROUND: [u8; 3] = [0xff, 0xff, 0xff];
const BASELINE: [u8; 3] = [0xcc, 0xcc, 0xcc];
const COLOUR: [u8; 3] = [0x1a, 0x4b, 0x8c];
const ACCENT: [u8; 3] = [0xd9, 0x48, 0x1c];

/// The chart of `values`, oldest first, as PNG bytes; `bar` widens each
/// bar for short series (at least 1 pixel).
pub fn bars_png(values: &[u64], bar: u32) -> Vec<u8> {
    let bar = bar.max(1);
    let count = values.len().max(1) as u32;
    let width = count * (bar + GAP);
    let top = values.iter().copied().max().unwrap_or(0).max(1);
    let mut pixels = vec![0u8; (width * HEIGHT * 3) as usize];
    for (y, row) in pixels.chunks_mut((width * 3) as usize).enumerate() {
        let y = y as u32;
        for (x, px) in row.chunks_mut(3).enumerate() {
            let x = x as u32;
            let index = (x / (bar + GAP)) as usize;
            let in_bar = x % (bar + GAP) < bar;
            let value = values.get(index).copied().unwrap_or(0);
            // A non-zero value is at least one pixel tall, so it shows.
            let height = match value {
                0 => 0,
                v => ((v * u64::from(HEIGHT - 1)).div_ceil(top) as u32).max(1),
            };
            let colour = if in_bar && HEIGHT - 1 - y < height {
                if index + 1 == values.len() {
                    ACCENT
                } else {
                    COLOUR
                }
            } else if y == HEIGHT - 1 {
                BASELINE
            } else {
                BACKGROUND
            };
            px.copy_from_slice(&colour);
        }
    }
    encode(&pixels, width, HEIGHT)
}

/// The PNG of a width×height RGB picture.
fn encode(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .expect("writing to a Vec cannot fail");
    writer
        .write_image_data(pixels)
        .expect("the picture is width×height×3 bytes");
    drop(writer);
    out
}

/// The width in pixels of the chart of `count` values.
pub fn bars_width(count: usize, bar: u32) -> u32 {
    count.max(1) as u32 * (bar.max(1) + GAP)
}

pub const BARS_HEIGHT: u32 = HEIGHT;

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a PNG into (width, height, RGB bytes).
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn bars_rise_with_their_values_and_the_last_is_the_accent() {
        let (width, height, pixels) = decode(&bars_png(&[0, 5, 10], 4));
        assert_eq!((width, height), (bars_width(3, 4), BARS_HEIGHT));
        let at = |x: u32, y: u32| {
            let i = ((y * width + x) * 3) as usize;
            [pixels[i], pixels[i + 1], pixels[i + 2]]
        };
        let column_height = |bar: u32| {
            let x = bar * (4 + GAP);
            (0..height)
                .filter(|&y| at(x, y) == COLOUR || at(x, y) == ACCENT)
                .count()
        };
        assert_eq!(column_height(0), 0);
        assert!(column_height(1) > 0 && column_height(1) < column_height(2));
        assert_eq!(column_height(2), (HEIGHT - 1) as usize);
        assert_eq!(at(2 * (4 + GAP), HEIGHT - 1), ACCENT);
        assert_eq!(at(4 + GAP, HEIGHT - 1), COLOUR);
    }
}
