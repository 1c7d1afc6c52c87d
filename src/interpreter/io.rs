//! Graph inputs and outputs: their shapes, quantization and bytes.

use super::records::*;
use super::*;

/// Shape and quantization of a graph input or output.
#[derive(Clone, Copy, Debug)]
pub struct TensorInfo<'a> {
    tensor: Tensor<'a>,
}

/// Affine quantization of a tensor: `real = scale * (q - zero_point)`.
///
/// [`TensorInfo::quant`] gives it for a graph input or output (`None` for a float tensor), to
/// feed real values to an int8 model and read its scores back:
///
/// ```
/// use microlite::{Arena, Interpreter, Model, MutableOpResolver};
/// # #[repr(C, align(16))] struct A<T: ?Sized>(T);
/// # static MODEL: &A<[u8]> = &A(*include_bytes!("../../tests/conformance/fc_relu_int8/model.tflite"));
/// let model = Model::from_bytes(&MODEL.0)?;
/// let mut ops = MutableOpResolver::<1>::new();
/// ops.add_fully_connected()?;
/// let mut arena = Arena::<2048>::new();
/// let mut interp = Interpreter::new(model, &ops, arena.as_mut_slice())?;
/// let q_in = interp.input_info(0)?.quant().unwrap();
/// for (x, v) in interp.input_mut::<i8>(0)?.iter_mut().zip([0.5f32, -0.25, 1.0]) {
///     *x = q_in.quantize_i8(v); // round half away from zero, saturating, as TFLM
/// }
/// interp.invoke()?;
/// let q_out = interp.output_info(0)?.quant().unwrap();
/// let y: f32 = q_out.dequantize_i8(interp.output::<i8>(0)?[0]);
/// assert!(y >= 0.0); // the model ends in a ReLU
///
/// let q = microlite::QuantParams { scale: 0.5, zero_point: -128 };
/// assert_eq!(q.quantize_i8(1.0), -126);
/// assert_eq!(q.quantize_i8(1000.0), 127);
/// assert_eq!(q.dequantize_i8(-126), 1.0);
/// # Ok::<(), microlite::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantParams {
    /// The scale.
    pub scale: f32,
    /// The zero point.
    pub zero_point: i32,
}

impl QuantParams {
    /// Quantizes `x` to int8 (round half away from zero, saturating), as TFLM does.
    pub fn quantize_i8(&self, x: f32) -> i8 {
        // `as` saturates (and maps NaN to 0), so no input can overflow here.
        let q = (libm::roundf(x / self.scale) as i64).saturating_add(i64::from(self.zero_point));
        q.clamp(-128, 127) as i8
    }
    /// The real value of int8 `q`.
    pub fn dequantize_i8(&self, q: i8) -> f32 {
        self.scale * (i64::from(q) - i64::from(self.zero_point)) as f32
    }
}

impl<'a> TensorInfo<'a> {
    /// Element type.
    pub fn ty(&self) -> TensorType {
        self.tensor.ty()
    }
    /// Dimensions.
    pub fn shape(&self) -> crate::model::Ints<'a> {
        self.tensor.shape()
    }
    /// Number of elements.
    pub fn element_count(&self) -> usize {
        self.tensor.element_count()
    }
    /// Tensor name.
    pub fn name(&self) -> &'a str {
        self.tensor.name()
    }
    /// Per-tensor quantization, if the tensor is quantized.
    pub fn quant(&self) -> Option<QuantParams> {
        let q = self.tensor.quantization()?;
        Some(QuantParams {
            scale: q.scale(0),
            zero_point: i32::try_from(q.zero_point(0)).ok()?,
        })
    }
}

impl<'a> Interpreter<'a> {
    pub(super) fn io_tensor(
        &self,
        list: crate::model::Ints<'a>,
        i: usize,
    ) -> Result<(u32, Tensor<'a>), Error> {
        let bad = Error::BadIndex { index: i };
        if i >= list.len() {
            return Err(bad);
        }
        let t = u32::try_from(list.get(i)).map_err(|_| bad)?;
        Ok((t, self.sg().tensor(t as usize).ok_or(bad)?))
    }

    pub(super) fn region_of(&self, t: u32) -> Option<(usize, usize)> {
        let words = self.tensor_words()?;
        TensorTable { words }.region(t)
    }

    pub(super) fn tensor_words(&self) -> Option<&[u32]> {
        self.tables()?.get(..self.tensors * TW)
    }

    pub(super) fn bytes_of(&self, t: u32, tensor: &Tensor<'a>) -> Option<&[u8]> {
        let size = tensor.byte_size()?;
        match self.region_of(t) {
            Some((o, _)) => self.arena.get(o..o + size),
            None => tensor.data().and_then(|d| d.get(..size)),
        }
    }

    /// The main subgraph (re-read from the model; keeping it would double the state).
    pub(super) fn sg(&self) -> SubGraph<'a> {
        self.model.main_subgraph()
    }

    /// Number of graph inputs.
    pub fn input_count(&self) -> usize {
        self.sg().inputs().len()
    }
    /// Number of graph outputs.
    pub fn output_count(&self) -> usize {
        self.sg().outputs().len()
    }

    /// Type, shape and quantization of input `i`.
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range.
    pub fn input_info(&self, i: usize) -> Result<TensorInfo<'a>, Error> {
        Ok(TensorInfo {
            tensor: self.io_tensor(self.sg().inputs(), i)?.1,
        })
    }

    /// Type, shape and quantization of output `i`.
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range.
    pub fn output_info(&self, i: usize) -> Result<TensorInfo<'a>, Error> {
        Ok(TensorInfo {
            tensor: self.io_tensor(self.sg().outputs(), i)?.1,
        })
    }

    /// The raw bytes of input `i`, to fill before [`Interpreter::invoke`].
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range or the input is not in the arena.
    pub fn input_bytes_mut(&mut self, i: usize) -> Result<&mut [u8], Error> {
        let (t, tensor) = self.io_tensor(self.sg().inputs(), i)?;
        let size = tensor.byte_size().ok_or(Error::BadIndex { index: i })?;
        let (o, _) = self.region_of(t).ok_or(Error::BadIndex { index: i })?;
        self.arena
            .get_mut(o..o + size)
            .ok_or(Error::BadIndex { index: i })
    }

    /// Input `i` as a typed slice.
    ///
    /// # Errors
    /// [`Error::BadIndex`] for a bad index, [`Error::WrongType`] when `E` is not its type.
    pub fn input_mut<E: Element>(&mut self, i: usize) -> Result<&mut [E], Error> {
        let ty = self.input_info(i)?.ty();
        if ty != E::TYPE {
            return Err(Error::WrongType {
                expected: E::TYPE as u8,
                actual: ty as u8,
            });
        }
        cast_mut(self.input_bytes_mut(i)?)
    }

    /// Copies `values` into input `i`.
    ///
    /// # Errors
    /// As [`Interpreter::input_mut`], and [`Error::WrongLength`] on a length mismatch.
    pub fn set_input<E: Element>(&mut self, i: usize, values: &[E]) -> Result<(), Error> {
        let dst = self.input_mut::<E>(i)?;
        if dst.len() != values.len() {
            return Err(Error::WrongLength {
                expected: dst.len(),
                actual: values.len(),
            });
        }
        dst.copy_from_slice(values);
        Ok(())
    }

    /// The raw bytes of output `i`.
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range.
    pub fn output_bytes(&self, i: usize) -> Result<&[u8], Error> {
        let (t, tensor) = self.io_tensor(self.sg().outputs(), i)?;
        self.bytes_of(t, &tensor)
            .ok_or(Error::BadIndex { index: i })
    }

    /// Output `i` as a typed slice.
    ///
    /// # Errors
    /// [`Error::BadIndex`] for a bad index, [`Error::WrongType`] when `E` is not its type.
    pub fn output<E: Element>(&self, i: usize) -> Result<&[E], Error> {
        let ty = self.output_info(i)?.ty();
        if ty != E::TYPE {
            return Err(Error::WrongType {
                expected: E::TYPE as u8,
                actual: ty as u8,
            });
        }
        let b = self.output_bytes(i)?;
        if b.is_empty() {
            return Ok(&[]);
        }
        bytemuck::try_cast_slice(b).map_err(|_| Error::ArenaMisaligned)
    }

    /// Clears every arena tensor, as TFLM's `Reset()` does for state: the next invoke starts
    /// fresh. Variable (state) tensors read as real zero afterwards: an int8 one is filled
    /// with its zero point (TFLM's `ResetVariableTensors`), others with zero bytes. Ops'
    /// own state ([`crate::PrepareCtx::persist_state`], e.g. the noise estimate of
    /// `SignalFilterBankSpectralSubtraction`) is zeroed too, as TFLM calls each op's `reset`.
    pub fn reset(&mut self) {
        if let Some(h) = self.arena.get_mut(..self.head) {
            crate::fill_bytes(h, 0);
        }
        self.reset_variables();
        self.reset_op_states();
    }

    /// Zeroes the state of every op that keeps one (flagged in its record).
    fn reset_op_states(&mut self) {
        let (nt, no) = (self.tensors, self.all_ops);
        let Some(tail) = self
            .arena
            .get_mut(self.tail_start..self.tail_start.saturating_add(self.tail_len))
        else {
            return;
        };
        let (staged, tables) = tail.split_at_mut(self.tables_at.min(tail.len()));
        let Ok(words) = cast_mut::<u32>(tables) else {
            return;
        };
        for i in 0..no {
            let base = nt * TW + i * OW;
            let Some(rec) = words.get(base..base + OW) else {
                return;
            };
            let (Some(&reg), Some(&data), Some(&len)) =
                (rec.get(R_REG), rec.get(R_DATA), rec.get(R_DATA_LEN))
            else {
                return;
            };
            if reg & F_SKIP != 0 || reg & F_STATE == 0 {
                continue;
            }
            let (data, len) = (data as usize, len as usize);
            if let Some(bytes) = staged.get_mut(data..data.saturating_add(len)) {
                if let Ok((_, state)) = super::exec::split_state(bytes) {
                    crate::fill_bytes(state, 0);
                }
            }
        }
    }

    /// Fills each int8 variable tensor (of every subgraph) with its zero point, and each
    /// resource variable with its default (the rest of a reset is zeroes).
    pub(super) fn reset_variables(&mut self) {
        // Variable tensors carry their reset byte in the table (marked while planning).
        for t in 0..self.tensors {
            let Some(&w) = self.tensor_words().and_then(|w| w.get(t * TW + T_ALIAS)) else {
                return;
            };
            if w >> 8 == VARIABLE >> 8 {
                self.fill_tensor(t as u32, w as u8);
            }
        }
        if let Some(reset) = self.regs.iter().find_map(|r| r.hooks.and_then(|h| h.reset)) {
            reset(self);
        }
    }

    pub(super) fn fill_tensor(&mut self, t: u32, byte: u8) {
        if let Some((o, len)) = self.region_of(t) {
            if let Some(b) = self.arena.get_mut(o..o.saturating_add(len)) {
                crate::fill_bytes(b, byte);
            }
        }
    }

    /// Bytes of the arena in use: the planned head plus the tables and op data.
    pub fn arena_used_bytes(&self) -> usize {
        self.head + self.tail_len
    }

    /// Bytes of the planned head (tensors and scratch).
    pub fn head_bytes(&self) -> usize {
        self.head
    }

    /// Bytes of bookkeeping and per-op persistent data at the end of the arena.
    pub fn tail_bytes(&self) -> usize {
        self.tail_len
    }

    /// Where tensor `t` of the main subgraph lives, if in the arena.
    pub fn allocation(&self, t: usize) -> Option<Allocation> {
        let words = self.tensor_words()?;
        let start = t.checked_mul(TW)?;
        let &[offset, size, life, _alias, _next] = words.get(start..start.checked_add(TW)?)? else {
            return None;
        };
        if offset == NONE {
            return None;
        }
        Some(Allocation {
            offset: offset as usize,
            size: align_up(size as usize),
            first_op: life & 0xFFFF,
            last_op: life >> 16,
        })
    }

    /// The model being run.
    pub fn model(&self) -> Model<'a> {
        self.model
    }

    /// Bytes of interpreter state outside the arena (the `Interpreter` value itself).
    pub const fn state_bytes() -> usize {
        core::mem::size_of::<Interpreter<'static>>()
    }

    /// [`Self::state_bytes`] on a target whose pointers are `pointer_bytes` wide (4 on a
    /// Cortex-M or RISC-V 32): the `Interpreter` is made of pointers, slices and `usize`s
    /// only, so a host build script can size a device's state.
    pub const fn state_bytes_for(pointer_bytes: usize) -> usize {
        Self::state_bytes() / core::mem::size_of::<usize>() * pointer_bytes
    }
}
