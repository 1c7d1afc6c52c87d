//! BATCH_TO_SPACE_ND: SPACE_TO_BATCH_ND's inverse (see [`super::space_to_batch_nd`]).

use super::Registration;

pub(crate) fn registration() -> Registration {
    super::space_to_batch_nd::registration_to_space()
}
