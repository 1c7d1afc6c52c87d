//! A verified, zero-copy view of a `.tflite` model.
//!
//! [`Model::from_bytes`] checks every offset, vtable, vector length and index the interpreter
//! will read; the accessors afterwards cannot fail (anything unreadable reads as a default,
//! which verification has already ruled out).

use crate::error::{Error, Malformed};
use crate::flatbuf::{self, Table, Vector};
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::densify::{DimLevel, IndexVector, SparseLayout, MAX_DIMS, MAX_LEVELS};

/// Largest tensor rank the interpreter handles.
pub const MAX_RANK: usize = 6;
/// Most inputs or outputs one operator, or a subgraph, may list.
pub const MAX_OPERANDS: usize = 1024;

/// Work allowed for verification: about twice what the model's bytes could hold if nothing
/// were shared, so a small model whose tables are referenced over and over (a legal
/// FlatBuffer) cannot make verification take quadratic time.
struct Budget(usize);

impl Budget {
    fn spend(&mut self, n: usize) -> Result<(), Error> {
        self.0 = self
            .0
            .checked_sub(n)
            .ok_or(Error::Malformed(Malformed::Budget))?;
        Ok(())
    }
}

/// A verified TFLite model borrowed from its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Model<'a> {
    buf: &'a [u8],
    root: Table<'a>,
}

/// An operator code: which builtin (or custom) op and its version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperatorCode<'a> {
    /// The builtin code (the larger of `builtin_code` and `deprecated_builtin_code`).
    pub builtin: BuiltinOperator,
    /// The op's version.
    pub version: i32,
    /// The custom code, for `CUSTOM` ops (`None` when empty or not UTF-8; the resolver
    /// matches the bytes).
    pub custom_code: Option<&'a str>,
}

/// A subgraph: tensors, operators in execution order, and its inputs and outputs.
#[derive(Clone, Copy, Debug)]
pub struct SubGraph<'a> {
    model: Model<'a>,
    table: Table<'a>,
    tensors: Vector<'a>,
    inputs: Vector<'a>,
    outputs: Vector<'a>,
    operators: Vector<'a>,
}

/// A list of `i32` values stored in the model (shapes, tensor indices).
#[derive(Clone, Copy, Debug)]
pub struct Ints<'a>(Vector<'a>);

/// A tensor's description.
#[derive(Clone, Copy, Debug)]
pub struct Tensor<'a> {
    model: Model<'a>,
    table: Table<'a>,
    shape: Ints<'a>,
    ty: TensorType,
    buffer: u32,
}

/// Affine quantization parameters: `real = scale * (q - zero_point)`.
#[derive(Clone, Copy, Debug)]
pub struct Quantization<'a> {
    scale: Vector<'a>,
    zero_point: Vector<'a>,
    quantized_dimension: i32,
}

/// An operator in a subgraph.
#[derive(Clone, Copy, Debug)]
pub struct Operator<'a> {
    table: Table<'a>,
    opcode_index: u32,
    inputs: Ints<'a>,
    outputs: Ints<'a>,
}

impl<'a> Ints<'a> {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.len() == 0
    }
    /// Value `i` (0 past the end).
    pub fn get(&self, i: usize) -> i32 {
        self.0.i32(i)
    }
    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = i32> + 'a {
        let v = self.0;
        (0..v.len()).map(move |i| v.i32(i))
    }
}

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl<'a> Model<'a> {
    /// Verifies `bytes` as a TFLite model (file identifier `TFL3`) and returns a view of it,
    /// reading nothing outside `bytes` afterwards (every later accessor is infallible).
    ///
    /// Embed the model **16-byte aligned**: constant tensors are viewed in place as `i16`,
    /// `i32`, `f32`, ... slices, and [`crate::Interpreter::new`] refuses a constant whose bytes
    /// are misaligned for its type ([`Error::DataMisaligned`]). `include_bytes!` gives no
    /// alignment; wrap it:
    ///
    /// ```
    /// #[repr(C, align(16))]
    /// struct Aligned<T: ?Sized>(T);
    /// static MODEL: &Aligned<[u8]> =
    ///     &Aligned(*include_bytes!("../tests/conformance/fc_relu_int8/model.tflite"));
    /// let model = microlite::Model::from_bytes(&MODEL.0)?;
    /// assert_eq!(model.subgraph_count(), 1);
    /// # Ok::<(), microlite::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Malformed`] naming the first structural problem found.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        let root = flatbuf::root(bytes, b"TFL3")?;
        for (id, elem) in [(1, 4), (2, 4), (4, 4), (6, 4)] {
            root.vector(id, elem)?;
        }
        let model = Model { buf: bytes, root };
        model.verify()?;
        Ok(model)
    }

    // The top-level vectors, re-read on demand so a `Model` stays two words and a table.
    /// Top-level vector field `id` of tables (one copy of the code for all four).
    #[inline(never)]
    fn top(&self, id: u16) -> Vector<'a> {
        self.root
            .vector(id, 4)
            .unwrap_or(Vector::empty(self.buf, 4))
    }
    fn opcodes(&self) -> Vector<'a> {
        self.top(1)
    }
    fn subgraphs(&self) -> Vector<'a> {
        self.top(2)
    }
    fn buffers(&self) -> Vector<'a> {
        self.top(4)
    }
    fn metadata_vec(&self) -> Vector<'a> {
        self.top(6)
    }

    fn verify(&self) -> Result<(), Error> {
        let budget = &mut Budget(self.buf.len().saturating_mul(2).saturating_add(1024));
        self.root.u32(0, 0)?;
        self.root.bytes(3)?;
        let (opcodes, buffers) = (self.opcodes(), self.buffers());
        let (metadata, subgraphs) = (self.metadata_vec(), self.subgraphs());
        for i in 0..opcodes.len() {
            let t = opcodes.table(i)?;
            t.i8(0, 0)?;
            budget.spend(8 + t.bytes(1)?.len())?;
            t.i32(2, 1)?;
            t.i32(3, 0)?;
        }
        for i in 0..buffers.len() {
            let t = buffers.table(i)?;
            budget.spend(8)?;
            t.bytes(0)?;
            let off = t.u64(1, 0)?;
            let size = t.u64(2, 0)?;
            if off > 1 {
                let end = off.checked_add(size);
                if end.is_none_or(|e| e > self.buf.len() as u64) {
                    return Err(Malformed::BufferRange { buffer: idx(i) }.into());
                }
            }
        }
        for i in 0..metadata.len() {
            let t = metadata.table(i)?;
            budget.spend(8 + t.bytes(0)?.len())?;
            let b = t.u32(1, 0)?;
            if b as usize >= buffers.len() {
                return Err(Malformed::BufferIndex {
                    tensor: u32::MAX,
                    buffer: b,
                }
                .into());
            }
        }
        if subgraphs.len() == 0 {
            return Err(Malformed::NoSubgraphs.into());
        }
        for s in 0..subgraphs.len() {
            budget.spend(16)?;
            self.verify_subgraph(subgraphs.table(s)?, budget)?;
        }
        Ok(())
    }

    fn verify_subgraph(&self, t: Table<'a>, budget: &mut Budget) -> Result<(), Error> {
        let sg = SubGraph::new(*self, t)?;
        budget.spend(t.bytes(4)?.len())?;
        let n = sg.tensors.len();
        if sg.inputs.len() > MAX_OPERANDS || sg.outputs.len() > MAX_OPERANDS {
            return Err(Malformed::Budget.into());
        }
        for i in 0..n {
            let tt = sg.tensors.table(i)?;
            budget.spend(16)?;
            let tensor = Tensor::new(*self, tt).map_err(|e| match e {
                Error::Malformed(Malformed::TensorType { ty, .. }) => {
                    Error::Malformed(Malformed::TensorType { tensor: idx(i), ty })
                }
                e => e,
            })?;
            tensor.verify(idx(i), self, budget)?;
        }
        // Every index of `list` names a tensor (or is -1, when `optional`).
        let check = |op: u32, list: Ints<'_>, optional: bool| -> Result<(), Error> {
            for k in 0..list.len() {
                let v = list.get(k);
                if !((optional && v == -1) || (v >= 0 && (v as usize) < n)) {
                    return Err(Malformed::TensorIndex { op, index: v }.into());
                }
            }
            Ok(())
        };
        check(u32::MAX, Ints(sg.inputs), false)?;
        check(u32::MAX, Ints(sg.outputs), false)?;
        let opcodes = self.opcodes().len();
        for o in 0..sg.operators.len() {
            let op = Operator::new(sg.operators.table(o)?)?;
            let oi = idx(o);
            if op.inputs.len() > MAX_OPERANDS || op.outputs.len() > MAX_OPERANDS {
                return Err(Malformed::Budget.into());
            }
            budget.spend(16 + 4 * (op.inputs.len() + op.outputs.len()))?;
            if op.opcode_index as usize >= opcodes {
                return Err(Malformed::OpcodeIndex {
                    op: oi,
                    index: op.opcode_index,
                }
                .into());
            }
            check(oi, op.inputs, true)?;
            check(oi, op.outputs, false)?;
            op.table.u8(3, 0)?;
            op.table.table(4)?;
            op.table.bytes(5)?;
            op.table.vector(8, 4)?;
        }
        Ok(())
    }

    /// The model's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// Schema version (3 for current models).
    pub fn version(&self) -> u32 {
        self.root.u32(0, 0).unwrap_or(0)
    }

    /// The converter's description string (empty when it is not UTF-8: like TFLM, the
    /// verifier treats strings as bytes).
    pub fn description(&self) -> &'a str {
        self.root.string(3).unwrap_or("")
    }

    /// Number of operator codes.
    pub fn operator_code_count(&self) -> usize {
        self.opcodes().len()
    }

    /// Operator code `i` (a default `CUSTOM` code when out of range).
    pub fn operator_code(&self, i: usize) -> OperatorCode<'a> {
        let fallback = OperatorCode {
            builtin: BuiltinOperator::CUSTOM,
            version: 1,
            custom_code: None,
        };
        let Ok(t) = self.opcodes().table(i) else {
            return fallback;
        };
        let deprecated = i32::from(t.i8(0, 0).unwrap_or(0));
        let code = t.i32(3, 0).unwrap_or(0);
        let custom = t.string(1).unwrap_or("");
        OperatorCode {
            builtin: BuiltinOperator(deprecated.max(code)),
            version: t.i32(2, 1).unwrap_or(1),
            custom_code: if custom.is_empty() {
                None
            } else {
                Some(custom)
            },
        }
    }

    /// The custom code of operator code `i` as bytes (empty when absent): what the resolver
    /// matches, with no UTF-8 check.
    pub(crate) fn custom_code_bytes(&self, i: usize) -> &'a [u8] {
        self.opcodes()
            .table(i)
            .and_then(|t| t.bytes(1))
            .unwrap_or(&[])
    }

    /// The builtin code and version of operator code `i`, without reading its custom code:
    /// what the interpreter needs per op per invoke (`CUSTOM`, 1 when out of range).
    pub(crate) fn builtin_and_version(&self, i: usize) -> (BuiltinOperator, i32) {
        let Ok(t) = self.opcodes().table(i) else {
            return (BuiltinOperator::CUSTOM, 1);
        };
        let deprecated = i32::from(t.i8(0, 0).unwrap_or(0));
        let code = t.i32(3, 0).unwrap_or(0);
        (
            BuiltinOperator(deprecated.max(code)),
            t.i32(2, 1).unwrap_or(1),
        )
    }

    /// Number of subgraphs (at least one).
    pub fn subgraph_count(&self) -> usize {
        self.subgraphs().len()
    }

    /// Subgraph `i`, if it exists.
    pub fn subgraph(&self, i: usize) -> Option<SubGraph<'a>> {
        let t = self.subgraphs().table(i).ok()?;
        SubGraph::new(*self, t).ok()
    }

    /// The main subgraph (index 0), which the interpreter runs.
    pub fn main_subgraph(&self) -> SubGraph<'a> {
        match self.subgraph(0) {
            Some(s) => s,
            // Unreachable after verification; an empty view keeps this infallible.
            None => SubGraph {
                model: *self,
                table: self.root,
                tensors: self.metadata_empty(),
                inputs: self.metadata_empty(),
                outputs: self.metadata_empty(),
                operators: self.metadata_empty(),
            },
        }
    }

    fn metadata_empty(&self) -> Vector<'a> {
        Vector::empty(self.buf, 4)
    }

    /// Number of buffers.
    pub fn buffer_count(&self) -> usize {
        self.buffers().len()
    }

    /// The bytes of buffer `i` (empty when absent), whether inline or at an `offset`.
    pub fn buffer(&self, i: usize) -> &'a [u8] {
        let Ok(t) = self.buffers().table(i) else {
            return &[];
        };
        let off = t.u64(1, 0).unwrap_or(0);
        if off > 1 {
            let size = t.u64(2, 0).unwrap_or(0);
            let (Ok(s), Ok(n)) = (usize::try_from(off), usize::try_from(size)) else {
                return &[];
            };
            return self.buf.get(s..s.saturating_add(n)).unwrap_or(&[]);
        }
        t.bytes(0).unwrap_or(&[])
    }

    /// Number of metadata entries.
    pub fn metadata_count(&self) -> usize {
        self.metadata_vec().len()
    }

    /// Metadata entry `i`: its name and the bytes of its buffer.
    pub fn metadata(&self, i: usize) -> Option<(&'a str, &'a [u8])> {
        let t = self.metadata_vec().table(i).ok()?;
        let name = t.string(0)?;
        let b = t.u32(1, 0).ok()?;
        Some((name, self.buffer(b as usize)))
    }

    /// The metadata entry named `name`.
    pub fn metadata_named(&self, name: &str) -> Option<&'a [u8]> {
        (0..self.metadata_count())
            .filter_map(|i| self.metadata(i))
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b)
    }
}

impl<'a> SubGraph<'a> {
    fn new(model: Model<'a>, table: Table<'a>) -> Result<Self, Error> {
        Ok(SubGraph {
            model,
            table,
            tensors: table.vector(0, 4)?,
            inputs: table.vector(1, 4)?,
            outputs: table.vector(2, 4)?,
            operators: table.vector(3, 4)?,
        })
    }

    /// The model this subgraph belongs to.
    pub(crate) fn model(&self) -> Model<'a> {
        self.model
    }

    /// The subgraph's name (empty when it is not UTF-8).
    pub fn name(&self) -> &'a str {
        self.table.string(4).unwrap_or("")
    }

    /// Number of tensors.
    pub fn tensor_count(&self) -> usize {
        self.tensors.len()
    }

    /// Tensor `i`, if in range.
    pub fn tensor(&self, i: usize) -> Option<Tensor<'a>> {
        let t = self.tensors.table(i).ok()?;
        Tensor::new(self.model, t).ok()
    }

    /// Indices of the subgraph's input tensors.
    pub fn inputs(&self) -> Ints<'a> {
        Ints(self.inputs)
    }

    /// Indices of the subgraph's output tensors.
    pub fn outputs(&self) -> Ints<'a> {
        Ints(self.outputs)
    }

    /// Number of operators.
    pub fn operator_count(&self) -> usize {
        self.operators.len()
    }

    /// Operator `i` in execution order, if in range.
    pub fn operator(&self, i: usize) -> Option<Operator<'a>> {
        Operator::new(self.operators.table(i).ok()?).ok()
    }
}

impl<'a> Tensor<'a> {
    fn new(model: Model<'a>, table: Table<'a>) -> Result<Self, Error> {
        let raw = table.u8(1, 0)?;
        let ty = TensorType::from_u8(raw).ok_or(Error::Malformed(Malformed::TensorType {
            tensor: idx(table.pos()),
            ty: raw,
        }))?;
        Ok(Tensor {
            model,
            table,
            shape: Ints(table.vector(0, 4)?),
            ty,
            buffer: table.u32(2, 0)?,
        })
    }

    fn verify(&self, i: u32, model: &Model<'a>, budget: &mut Budget) -> Result<(), Error> {
        budget.spend(4 * self.shape.len() + self.table.bytes(3)?.len())?;
        self.table.bool(5, false)?;
        if self.buffer as usize >= model.buffer_count() {
            return Err(Malformed::BufferIndex {
                tensor: i,
                buffer: self.buffer,
            }
            .into());
        }
        let mut count: u64 = 1;
        for k in 0..self.shape.len() {
            let d = self.shape.get(k);
            if d < 0 {
                return Err(Malformed::NegativeDimension { tensor: i }.into());
            }
            count = count.saturating_mul(d as u64);
        }
        if self.shape.len() > MAX_RANK {
            return Err(Error::TooComplex);
        }
        let bytes = count.saturating_mul(self.ty.size().unwrap_or(1) as u64);
        if bytes > u64::from(u32::MAX >> 1) {
            return Err(Malformed::TensorTooLarge { tensor: i }.into());
        }
        // A sparse constant stores only its layout's values: DENSIFY, the one op that reads
        // it, checks the layout and those ([`Tensor::sparse_layout`]).
        let sparse = self.table.table(6)?.is_some();
        let data = model.buffer(self.buffer as usize);
        if !sparse && !data.is_empty() && self.ty.size().is_some() && (data.len() as u64) < bytes {
            return Err(Malformed::BufferTooShort {
                tensor: i,
                len: idx(data.len()),
                needed: u32::try_from(bytes).unwrap_or(u32::MAX),
            }
            .into());
        }
        if let Some(q) = self.table.table(4)? {
            q.vector(0, 4)?;
            q.vector(1, 4)?;
            let scale = q.vector(2, 4)?;
            let zp = q.vector(3, 8)?;
            budget.spend(4 * scale.len() + 8 * zp.len())?;
            q.u8(4, 0)?;
            let qd = q.i32(6, 0)?;
            let bad = Error::Malformed(Malformed::Quantization { tensor: i });
            if zp.len() != 0 && zp.len() != scale.len() {
                return Err(bad);
            }
            if scale.len() > 1 {
                // Converters copy a filter's quantized_dimension onto its rank-1 bias, so a
                // rank-1 tensor with one scale per element is accepted whatever the field says.
                let dim = usize::try_from(qd).map_err(|_| bad)?;
                let along = if self.shape.len() == 1 { 0 } else { dim };
                if along >= self.shape.len() || self.shape.get(along) as usize != scale.len() {
                    return Err(bad);
                }
            }
        }
        Ok(())
    }

    /// The tensor's name (empty when it is not UTF-8).
    pub fn name(&self) -> &'a str {
        self.table.string(3).unwrap_or("")
    }

    /// Element type.
    pub fn ty(&self) -> TensorType {
        self.ty
    }

    /// Dimensions (all non-negative after verification).
    pub fn shape(&self) -> Ints<'a> {
        self.shape
    }

    /// Number of elements (the product of the dimensions; 1 for a scalar).
    pub fn element_count(&self) -> usize {
        let mut n = 1usize;
        for i in 0..self.shape.len() {
            n = n.saturating_mul(self.shape.get(i).max(0) as usize);
        }
        n
    }

    /// Size in bytes of the tensor's data, if its type has a fixed size.
    pub fn byte_size(&self) -> Option<usize> {
        self.ty
            .size()
            .map(|s| s.saturating_mul(self.element_count()))
    }

    /// Index of the tensor's buffer (0 is the empty buffer by convention).
    pub fn buffer_index(&self) -> u32 {
        self.buffer
    }

    /// Constant data stored in the model, if any.
    pub fn data(&self) -> Option<&'a [u8]> {
        let d = self.model.buffer(self.buffer as usize);
        if d.is_empty() {
            None
        } else {
            Some(d)
        }
    }

    /// The tensor's sparse layout (TFLite's `SparsityParameters`), when it is stored sparse
    /// and the layout is sound: its data then holds [`SparseLayout::value_count`] values,
    /// which DENSIFY expands.
    pub fn sparsity(&self) -> Option<SparseLayout<'a>> {
        let sp = self.table.table(6).ok()??;
        sparse_layout(sp, self.shape).ok()
    }

    /// The sparse layout of tensor `index` (this one) and its stored values, checked: what
    /// DENSIFY's prepare reads. The model reader leaves sparse tensors to it, so that a
    /// firmware without DENSIFY links none of this.
    ///
    /// # Errors
    /// [`Malformed::Sparsity`] for a layout that does not fit the shape (TFLite's verifier
    /// rules, and indices inside their dimensions); [`Malformed::BufferTooShort`] when the
    /// data holds fewer values than the layout stores.
    pub(crate) fn sparse_values(&self, index: u32) -> Result<(SparseLayout<'a>, &'a [u8]), Error> {
        let bad = Error::Malformed(Malformed::Sparsity { tensor: index });
        let sp = self.table.table(6).ok().flatten().ok_or(bad)?;
        let layout = sparse_layout(sp, self.shape).map_err(|_| bad)?;
        let stored = layout
            .value_count()
            .saturating_mul(self.ty.size().unwrap_or(1));
        let data = self.data().unwrap_or(&[]);
        let values = data.get(..stored).ok_or(Malformed::BufferTooShort {
            tensor: index,
            len: idx(data.len()),
            needed: idx(stored),
        })?;
        Ok((layout, values))
    }

    /// Whether the tensor is stored sparse (has `sparsity`).
    pub fn is_sparse(&self) -> bool {
        matches!(self.table.table(6), Ok(Some(_)))
    }

    /// Whether the tensor is a variable (state kept across invocations).
    pub fn is_variable(&self) -> bool {
        self.table.bool(5, false).unwrap_or(false)
    }

    /// Quantization parameters, when the tensor has a scale.
    pub fn quantization(&self) -> Option<Quantization<'a>> {
        let q = self.table.table(4).ok()??;
        let scale = q.vector(2, 4).ok()?;
        if scale.len() == 0 {
            return None;
        }
        Some(Quantization {
            scale,
            zero_point: q.vector(3, 8).ok()?,
            quantized_dimension: q.i32(6, 0).ok()?,
        })
    }
}

/// A `SparseIndexVector` union (type in field `ty`, table in field `ty + 1`).
fn index_vector<'a>(t: Table<'a>, ty: u16) -> Result<IndexVector<'a>, Error> {
    let bad = Error::Malformed(Malformed::Sparsity { tensor: u32::MAX });
    let tag = t.u8(ty, 0)?;
    let v = t.table(ty + 1)?.ok_or(bad)?;
    Ok(match tag {
        1 => IndexVector::Int32(v.vector(0, 4)?.raw()),
        2 => IndexVector::Uint16(v.vector(0, 2)?.raw()),
        3 => IndexVector::Uint8(v.vector(0, 1)?.raw()),
        _ => return Err(bad),
    })
}

/// Reads and checks a tensor's `SparsityParameters` against its shape
/// ([`SparseLayout::new`]).
fn sparse_layout<'a>(sp: Table<'a>, shape: Ints<'a>) -> Result<SparseLayout<'a>, Error> {
    let bad = Error::Malformed(Malformed::Sparsity { tensor: u32::MAX });
    let (order, map, meta) = (sp.vector(0, 4)?, sp.vector(1, 4)?, sp.vector(2, 4)?);
    let (n, levels) = (shape.len(), order.len());
    if n > MAX_DIMS || levels > MAX_LEVELS || meta.len() != levels || map.len() > MAX_DIMS {
        return Err(bad);
    }
    let mut dims_a = [0i32; MAX_DIMS];
    let mut order_a = [0i32; MAX_LEVELS];
    let mut map_a = [0i32; MAX_DIMS];
    let mut levels_a = [DimLevel::Dense(0); MAX_LEVELS];
    for (k, d) in dims_a.iter_mut().take(n).enumerate() {
        *d = shape.get(k);
    }
    for (k, o) in order_a.iter_mut().take(levels).enumerate() {
        *o = order.i32(k);
    }
    for (k, m) in map_a.iter_mut().take(map.len()).enumerate() {
        *m = map.i32(k);
    }
    for (k, l) in levels_a.iter_mut().take(levels).enumerate() {
        let t = meta.table(k)?;
        let dense = t.i32(1, 0)?;
        *l = match t.u8(0, 0)? {
            0 => DimLevel::Dense(dense),
            1 => {
                let (segments, indices) = (index_vector(t, 2)?, index_vector(t, 4)?);
                DimLevel::SparseCsr { segments, indices }
            }
            _ => return Err(bad),
        };
    }
    SparseLayout::new(
        dims_a.get(..n).ok_or(bad)?,
        order_a.get(..levels).ok_or(bad)?,
        map_a.get(..map.len()).ok_or(bad)?,
        levels_a.get(..levels).ok_or(bad)?,
    )
    .map_err(|_| bad)
}

impl<'a> Quantization<'a> {
    /// Number of scales (1 per tensor, or one per channel).
    pub fn len(&self) -> usize {
        self.scale.len()
    }
    /// Whether there are no scales (never, for a value returned by [`Tensor::quantization`]).
    pub fn is_empty(&self) -> bool {
        self.scale.len() == 0
    }
    /// Scale `i`.
    pub fn scale(&self, i: usize) -> f32 {
        self.scale.f32(i)
    }
    /// Zero point `i` (0 when the model lists none).
    pub fn zero_point(&self, i: usize) -> i64 {
        self.zero_point.i64(i)
    }
    /// The dimension that per-channel scales run along.
    pub fn quantized_dimension(&self) -> i32 {
        self.quantized_dimension
    }
}

impl<'a> Operator<'a> {
    fn new(table: Table<'a>) -> Result<Self, Error> {
        Ok(Operator {
            table,
            opcode_index: table.u32(0, 0)?,
            inputs: Ints(table.vector(1, 4)?),
            outputs: Ints(table.vector(2, 4)?),
        })
    }

    /// Index into the model's operator codes.
    pub fn opcode_index(&self) -> u32 {
        self.opcode_index
    }
    /// Input tensor indices (`-1` marks an absent optional input).
    pub fn inputs(&self) -> Ints<'a> {
        self.inputs
    }
    /// Output tensor indices.
    pub fn outputs(&self) -> Ints<'a> {
        self.outputs
    }
    /// The `BuiltinOptions` union tag.
    pub fn builtin_options_type(&self) -> u8 {
        self.table.u8(3, 0).unwrap_or(0)
    }
    pub(crate) fn builtin_options(&self) -> Option<Table<'a>> {
        self.table.table(4).ok().flatten()
    }
    /// The `custom_options` bytes (a custom op's own format); empty when absent.
    pub fn custom_options(&self) -> &'a [u8] {
        self.table.bytes(5).unwrap_or(&[])
    }
}
