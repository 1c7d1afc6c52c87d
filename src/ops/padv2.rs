//! PADV2: PAD with the fill value as a scalar third input (TFLM registers the same kernel for
//! both; see [`super::pad`]).

use super::Registration;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    Registration::builtin(
        BuiltinOperator::PADV2,
        4,
        super::pad::prepare,
        super::pad::eval,
    )
}
