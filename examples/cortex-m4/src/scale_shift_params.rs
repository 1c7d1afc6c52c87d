// The "ScaleShift" custom op's parameters and the test input: `include!`d by build.rs, which
// writes them into the model (the op's custom options), and by the firmware, which computes the
// expected output from them. Plain `//` comments only: `include!` takes items, not inner docs.

/// The custom op's name, the model's `custom_code`.
pub const SCALE_SHIFT_NAME: &str = "ScaleShift";
/// `out = saturate_i8(floor(x * MUL / 2^SHIFT) + ADD)`.
pub const SCALE_SHIFT_MUL: i8 = 3;
pub const SCALE_SHIFT_SHIFT: u8 = 1;
pub const SCALE_SHIFT_ADD: i8 = -5;
/// The op's custom options bytes: `[MUL as u8, SHIFT, ADD as u8]`.
pub const SCALE_SHIFT_OPTIONS: [u8; 3] = [
    SCALE_SHIFT_MUL as u8,
    SCALE_SHIFT_SHIFT,
    SCALE_SHIFT_ADD as u8,
];
/// The model's input (int8 `[1, 1, 8, 1]`): saturates at both ends, odd and even, zero.
pub const SCALE_SHIFT_INPUT: [i8; 8] = [-128, -100, -37, -1, 0, 1, 50, 127];
