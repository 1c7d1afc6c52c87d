//! PADV2: PAD with the fill value as a scalar third input (TFLM registers the same kernel for
//! both; see [`super::pad`]).

use super::Registration;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    Registration {
        code: BuiltinOperator::PADV2,
        max_version: 4,
        prepare: super::pad::prepare,
        eval: super::pad::eval,
    }
}
