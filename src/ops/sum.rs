//! SUM: MEAN's reduction without the division (see [`super::mean`]).

use super::Registration;

pub(crate) fn registration() -> Registration {
    super::mean::registration_sum()
}
