//! Id newtypes, so a query that takes a `BusinessId` cannot be handed a provider's id.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(UserId);
id_type!(BusinessId);
id_type!(ProviderId);
id_type!(LocationId);

/// A fresh time-ordered id, as the database default would make.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
