"""The seed's HTM (MIRA2 repository, MIRA2.0/TechnicalSpecs/HTM-Implementation.md), the baseline of bench_htm.py.

Copied verbatim (the config, spatial pooler, temporal memory and hierarchy code blocks) with
only the two patches it needs to run, marked PATCH 1 and PATCH 2. Not part of the project:
it lives here so the benchmark measures the seed as written.
"""
# ruff: noqa
# fmt: off
# The seed's code annotates with `Any` without importing it; lazy annotations let it load unchanged.
from __future__ import annotations

from typing import Dict, List, Set, Tuple, Optional
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from dataclasses import dataclass
from collections import defaultdict

@dataclass
class HTMConfig:
    """Core HTM parameters - MUST match these exact values"""
    columns: int = 2048              # Number of cortical columns
    cells_per_column: int = 32       # Cells per column (temporal depth)
    activation_threshold: int = 8     # Min active synapses for activation
    initial_permanence: float = 0.21  # Initial synapse strength
    permanence_increment: float = 0.05  # Learning increment
    permanence_decrement: float = 0.01  # Forgetting decrement
    connected_permanence: float = 0.5   # Threshold for connected synapse
    sparsity: float = 0.05           # Target sparsity (5% = ~102 columns)
    min_threshold: int = 5           # Minimum activation threshold
    max_new_synapses: int = 20       # Max new synapses per learning
    
    # Hierarchy parameters
    hierarchy_levels: int = 3
    hierarchy_dimensions: List[int] = None
    
    def __post_init__(self):
        if self.hierarchy_dimensions is None:
            # Progressive dimensional reduction
            self.hierarchy_dimensions = [2048, 512, 128, 32]


class SpatialPooler(nn.Module):
    """
    Converts dense input to sparse distributed representation.
    Mimics how the brain creates sparse patterns from sensory input.
    """
    
    def __init__(self, input_dim: int = 768, config: HTMConfig = None):
        super().__init__()
        self.config = config or HTMConfig()
        self.input_dim = input_dim
        self.num_columns = self.config.columns
        
        # Potential connections (not all connected)
        self.potential_pool = self._initialize_potential_pool()
        
        # Synapse permanences
        self.permanences = self._initialize_permanences()
        
        # Boost factors for homeostatic regulation
        self.boost_factors = torch.ones(self.num_columns)
        
        # Activity history for boosting
        self.activity_history = torch.zeros(self.num_columns, 1000)
        self.history_index = 0
        
        # Neural network layers for initial encoding
        self.encoder = nn.Sequential(
            nn.Linear(input_dim, self.num_columns * 2),
            nn.ReLU(),
            nn.Dropout(0.5),  # Create sparsity
            nn.Linear(self.num_columns * 2, self.num_columns),
            nn.Sigmoid()  # Binary-like activation
        )
    
    def _initialize_potential_pool(self) -> torch.Tensor:
        """Initialize potential synaptic connections"""
        # Each column connects to random subset of inputs
        pool_size = int(self.input_dim * 0.5)  # Connect to 50% of inputs
        potential = torch.zeros(self.num_columns, self.input_dim)
        
        for col in range(self.num_columns):
            # Random connections with spatial bias
            center = (col / self.num_columns) * self.input_dim
            indices = self._get_gaussian_connections(center, pool_size)
            potential[col, indices] = 1.0
        
        return potential
    
    def _get_gaussian_connections(self, center: float, size: int) -> torch.Tensor:
        """Get connections with Gaussian distribution around center"""
        std = self.input_dim * 0.1  # Standard deviation
        
        # Sample from Gaussian
        samples = torch.normal(center, std, (size * 2,))
        samples = torch.clamp(samples, 0, self.input_dim - 1).long()
        
        # Get unique indices
        unique_indices = torch.unique(samples)[:size]
        
        # Fill if needed
        if len(unique_indices) < size:
            remaining = size - len(unique_indices)
            all_indices = torch.arange(self.input_dim)
            mask = torch.ones(self.input_dim, dtype=torch.bool)
            mask[unique_indices] = False
            additional = all_indices[mask][:remaining]
            unique_indices = torch.cat([unique_indices, additional])
        
        return unique_indices
    
    def _initialize_permanences(self) -> torch.Tensor:
        """Initialize synapse permanences"""
        # Start near connection threshold with small random variation
        base = self.config.initial_permanence
        variation = 0.1
        
        permanences = self.potential_pool * (
            base + (torch.rand_like(self.potential_pool) - 0.5) * variation
        )
        
        return permanences
    
    def compute(self, input_pattern: torch.Tensor, learn: bool = True) -> torch.Tensor:
        """
        Perform spatial pooling on input pattern.
        
        Args:
            input_pattern: Dense input vector (input_dim,)
            learn: Whether to update permanences
            
        Returns:
            Sparse binary vector (num_columns,) with ~5% active
        """
        # Calculate overlap scores
        overlap = self._calculate_overlap(input_pattern)
        
        # Apply boosting
        boosted_overlap = overlap * self.boost_factors
        
        # Select active columns (winner-take-all)
        active_columns = self._inhibit_columns(boosted_overlap)
        
        # Update permanences if learning
        if learn:
            self._update_permanences(input_pattern, active_columns)
            self._update_boost_factors(active_columns)
        
        # Update activity history
        self._update_activity_history(active_columns)
        
        return active_columns
    
    def _calculate_overlap(self, input_pattern: torch.Tensor) -> torch.Tensor:
        """Calculate overlap between input and each column"""
        # Get connected synapses
        connected = self.permanences >= self.config.connected_permanence
        
        # Calculate overlap as sum of active connected inputs
        overlap = torch.zeros(self.num_columns)
        
        for col in range(self.num_columns):
            # Get connected synapses for this column
            col_connected = connected[col] & (self.potential_pool[col] > 0)
            
            # Calculate overlap
            overlap[col] = torch.sum(input_pattern * col_connected.float())
        
        return overlap
    
    def _inhibit_columns(self, overlap: torch.Tensor) -> torch.Tensor:
        """Implement local inhibition to achieve sparsity"""
        num_active = int(self.num_columns * self.config.sparsity)
        
        # Get top k columns
        _, indices = torch.topk(overlap, num_active)
        
        # Create binary output
        active = torch.zeros(self.num_columns)
        active[indices] = 1.0
        
        return active
    
    def _update_permanences(self, input_pattern: torch.Tensor, 
                          active_columns: torch.Tensor) -> None:
        """Update permanences based on Hebbian learning"""
        for col in torch.where(active_columns > 0)[0]:
            # Get potential connections
            potential = self.potential_pool[col] > 0
            
            # Increase permanence for active inputs
            active_inputs = (input_pattern > 0) & potential
            self.permanences[col][active_inputs] += self.config.permanence_increment
            
            # Decrease permanence for inactive inputs
            inactive_inputs = (input_pattern == 0) & potential
            self.permanences[col][inactive_inputs] -= self.config.permanence_decrement
            
            # Clip to valid range
            self.permanences[col] = torch.clamp(self.permanences[col], 0, 1)
    
    def _update_boost_factors(self, active_columns: torch.Tensor) -> None:
        """Update boost factors for homeostatic regulation"""
        # Calculate average activity over history
        avg_activity = torch.mean(self.activity_history, dim=1)
        target_activity = self.config.sparsity
        
        # Update boost factors
        for col in range(self.num_columns):
            if avg_activity[col] < target_activity:
                # Boost underactive columns
                self.boost_factors[col] *= 1.01
            else:
                # Reduce boost for overactive columns
                self.boost_factors[col] *= 0.99
            
            # Limit boost factor range
            self.boost_factors[col] = torch.clamp(self.boost_factors[col], 1.0, 10.0)
    
    def _update_activity_history(self, active_columns: torch.Tensor) -> None:
        """Update activity history for boost calculations"""
        self.activity_history[:, self.history_index] = active_columns
        self.history_index = (self.history_index + 1) % 1000


@dataclass
class Cell:
    """Single cell in a cortical column"""
    column: int
    index: int
    segments: List['Segment'] = None
    
    def __post_init__(self):
        if self.segments is None:
            self.segments = []

@dataclass
class Segment:
    """Dendritic segment on a cell"""
    cell: Cell
    synapses: Dict[Tuple[int, int], float] = None  # (column, cell) -> permanence
    
    def __post_init__(self):
        if self.synapses is None:
            self.synapses = {}

class TemporalMemory:
    """
    Learns sequences and makes predictions.
    Models how neurons learn temporal patterns.
    """
    
    def __init__(self, config: HTMConfig = None):
        self.config = config or HTMConfig()
        
        # Initialize cells
        self.cells = self._initialize_cells()
        
        # Active cells from previous time step
        self.active_cells = set()
        self.winner_cells = set()
        self.predictive_cells = set()
        
        # Learning state
        self.learning_enabled = True
        
    def _initialize_cells(self) -> Dict[Tuple[int, int], Cell]:
        """Initialize all cells in all columns"""
        cells = {}
        
        for col in range(self.config.columns):
            for cell_idx in range(self.config.cells_per_column):
                cell = Cell(column=col, index=cell_idx)
                cells[(col, cell_idx)] = cell
        
        return cells
    
    def compute(self, active_columns: torch.Tensor, 
               learn: bool = True) -> Dict[str, Set[Tuple[int, int]]]:
        """
        Perform temporal memory computation.
        
        Args:
            active_columns: Binary vector of active columns
            learn: Whether to perform learning
            
        Returns:
            Dictionary with active, winner, and predictive cells
        """
        # Convert active columns to set
        active_cols = set(torch.where(active_columns > 0)[0].tolist())
        
        # Phase 1: Activate cells
        active_cells, winner_cells = self._activate_cells(active_cols)
        
        # Phase 2: Calculate predictions
        predictive_cells = self._calculate_predictions(active_cells)
        
        # Phase 3: Learn if enabled
        if learn and self.learning_enabled:
            self._learn(active_cells, winner_cells)
        
        # Update state
        self.active_cells = active_cells
        self.winner_cells = winner_cells
        self.predictive_cells = predictive_cells
        
        return {
            'active': active_cells,
            'winner': winner_cells,
            'predictive': predictive_cells
        }
    
    def _activate_cells(self, active_columns: Set[int]) -> Tuple[Set, Set]:
        """Activate cells in active columns"""
        active_cells = set()
        winner_cells = set()
        
        for col in active_columns:
            # Check if column was predicted
            predicted_cells_in_col = [
                (c, i) for (c, i) in self.predictive_cells if c == col
            ]
            
            if predicted_cells_in_col:
                # Activate predicted cells
                active_cells.update(predicted_cells_in_col)
                winner_cells.update(predicted_cells_in_col)
            else:
                # Burst: activate all cells in column
                burst_cells = [(col, i) for i in range(self.config.cells_per_column)]
                active_cells.update(burst_cells)
                
                # Select winner cell (best matching segment or least used)
                winner = self._select_winner_cell(col)
                winner_cells.add(winner)
        
        return active_cells, winner_cells
    
    def _calculate_predictions(self, active_cells: Set[Tuple[int, int]]) -> Set[Tuple[int, int]]:
        """Calculate predictive cells based on active cells"""
        predictive_cells = set()
        
        for cell_id, cell in self.cells.items():
            for segment in cell.segments:
                # Count active synapses
                active_synapses = sum(
                    1 for synapse_cell, perm in segment.synapses.items()
                    if synapse_cell in active_cells and perm >= self.config.connected_permanence
                )
                
                # Predict if enough active synapses
                if active_synapses >= self.config.activation_threshold:
                    predictive_cells.add(cell_id)
                    break
        
        return predictive_cells
    
    def _select_winner_cell(self, column: int) -> Tuple[int, int]:
        """Select winner cell in bursting column"""
        column_cells = [(column, i) for i in range(self.config.cells_per_column)]
        
        # Find cell with best matching segment
        best_cell = None
        best_score = -1
        
        for cell_id in column_cells:
            cell = self.cells[cell_id]
            
            for segment in cell.segments:
                # Count active synapses
                active_count = sum(
                    1 for synapse_cell, perm in segment.synapses.items()
                    if synapse_cell in self.active_cells
                )
                
                if active_count > best_score:
                    best_score = active_count
                    best_cell = cell_id
        
        # If no good match, select least used cell
        if best_cell is None:
            # Simple strategy: random cell
            import random
            best_cell = (column, random.randint(0, self.config.cells_per_column - 1))
        
        return best_cell
    
    def _learn(self, active_cells: Set[Tuple[int, int]], 
              winner_cells: Set[Tuple[int, int]]) -> None:
        """Perform Hebbian learning on segments"""
        # Learn on segments that led to correct predictions
        for cell_id in winner_cells:
            cell = self.cells[cell_id]
            
            # Find or create best matching segment
            segment = self._find_or_create_segment(cell, self.active_cells)
            
            # Update synapses
            self._update_segment_synapses(segment, self.active_cells)
    
    def _find_or_create_segment(self, cell: Cell, 
                               active_cells: Set[Tuple[int, int]]) -> Segment:
        """Find best matching segment or create new one"""
        # Find segment with most active synapses
        best_segment = None
        best_overlap = -1
        
        for segment in cell.segments:
            overlap = sum(
                1 for synapse_cell in segment.synapses
                if synapse_cell in active_cells
            )
            
            if overlap > best_overlap:
                best_overlap = overlap
                best_segment = segment
        
        # Create new segment if needed
        if best_segment is None or best_overlap < self.config.min_threshold:
            best_segment = Segment(cell=cell)
            cell.segments.append(best_segment)
            
            # Initialize with random synapses to active cells
            if active_cells:
                sample_size = min(len(active_cells), self.config.max_new_synapses)
                # PATCH 1 (bench_htm): np.random.choice cannot sample a list of tuples; sample indices.
                active_list = list(active_cells)
                sampled_cells = [active_list[i] for i in np.random.choice(
                    len(active_list), size=sample_size, replace=False
                )]
                
                for synapse_cell in sampled_cells:
                    best_segment.synapses[synapse_cell] = self.config.initial_permanence
        
        return best_segment
    
    def _update_segment_synapses(self, segment: Segment, 
                                active_cells: Set[Tuple[int, int]]) -> None:
        """Update synapse permanences"""
        # Strengthen active synapses
        for synapse_cell, permanence in segment.synapses.items():
            if synapse_cell in active_cells:
                # Increase permanence
                segment.synapses[synapse_cell] = min(
                    1.0, permanence + self.config.permanence_increment
                )
            else:
                # Decrease permanence
                segment.synapses[synapse_cell] = max(
                    0.0, permanence - self.config.permanence_decrement
                )


class HTMHierarchy(nn.Module):
    """
    Complete HTM system with hierarchical processing.
    Creates levels of abstraction from raw input to concepts.
    """
    
    def __init__(self, input_dim: int = 768, config: HTMConfig = None):
        super().__init__()
        self.config = config or HTMConfig()
        self.input_dim = input_dim
        
        # Create hierarchy levels
        self.spatial_poolers = nn.ModuleList()
        self.temporal_memories = []
        
        current_dim = input_dim
        for level, next_dim in enumerate(self.config.hierarchy_dimensions[:-1]):
            # Spatial pooler for this level
            sp_config = HTMConfig(
                columns=next_dim,
                cells_per_column=self.config.cells_per_column,
                sparsity=self.config.sparsity
            )
            sp = SpatialPooler(current_dim, sp_config)
            self.spatial_poolers.append(sp)
            
            # Temporal memory for this level
            tm = TemporalMemory(sp_config)
            self.temporal_memories.append(tm)
            
            current_dim = next_dim
        
        # Output processing
        self.output_dim = self.config.hierarchy_dimensions[-1]
        self.output_layer = nn.Sequential(
            nn.Linear(self.config.hierarchy_dimensions[-2], self.output_dim * 2),
            nn.ReLU(),
            nn.Linear(self.output_dim * 2, self.output_dim),
            nn.Tanh()
        )
    
    def forward(self, input_pattern: torch.Tensor, 
               learn: bool = True) -> Dict[str, Any]:
        """
        Process input through HTM hierarchy.
        
        Args:
            input_pattern: Input vector
            learn: Whether to enable learning
            
        Returns:
            Dictionary with activations at each level
        """
        activations = []
        predictions = []
        abstractions = []
        
        current_input = input_pattern
        
        # Process through hierarchy
        for level, (sp, tm) in enumerate(zip(self.spatial_poolers, self.temporal_memories)):
            # Spatial pooling
            active_columns = sp.compute(current_input, learn=learn)
            
            # Temporal processing
            temporal_output = tm.compute(active_columns, learn=learn)
            
            # Store activations
            activations.append(active_columns)
            predictions.append(temporal_output['predictive'])
            
            # Create input for next level
            # Convert active columns to dense representation
            current_input = active_columns
        
        # Final abstraction
        final_abstraction = self.output_layer(current_input)
        abstractions.append(final_abstraction)
        
        # Calculate surprise level
        surprise = self._calculate_surprise(predictions)
        
        return {
            'activations': activations,
            'predictions': predictions,
            'abstractions': abstractions,
            'surprise_level': surprise,
            'final_representation': final_abstraction
        }
    
    def _calculate_surprise(self, predictions: List[Set]) -> float:
        """Calculate surprise as mismatch between predictions and reality"""
        if len(predictions) < 2:
            return 0.0
        
        total_surprise = 0.0
        
        for i in range(1, len(predictions)):
            prev_predictions = predictions[i-1]
            # PATCH 2 (bench_htm): level i-1's predictions are compared with level i-1's activity
            # (the original indexed level i's smaller activity with level i-1's columns: IndexError).
            current_active = self.spatial_poolers[i - 1].activity_history[:, -1]
            
            # Calculate overlap
            predicted_active = 0
            for col, cell in prev_predictions:
                if current_active[col] > 0:
                    predicted_active += 1
            
            # Surprise is inverse of prediction accuracy
            prediction_accuracy = predicted_active / max(len(prev_predictions), 1)
            surprise = 1.0 - prediction_accuracy
            
            total_surprise += surprise
        
        return total_surprise / (len(predictions) - 1)
