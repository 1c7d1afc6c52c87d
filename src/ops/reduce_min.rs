//! REDUCE_MIN: REDUCE_MAX's reduction keeping the smallest value (see [`super::reduce_max`]).

use super::Registration;

pub(crate) fn registration() -> Registration {
    super::reduce_max::registration_min()
}
